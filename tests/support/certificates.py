"""Certificates made in tests: a server certificate for a local HTTPS stand-in, and an app
registration's key and certificate (certificate credentials)."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path
from typing import Any


def _certificate(key: Any, common_name: str, *, ip: str = "") -> Any:
    """A self-signed certificate for ``key`` (valid for a day; for ``ip`` when given)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if ip:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))])
        builder = builder.add_extension(san, critical=False).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
    return builder.sign(key, hashes.SHA256())


def _key_pem(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def server_certificate(folder: Path) -> Path:
    """The stand-in's server certificate for 127.0.0.1 (its key beside it, .key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = folder / "graph-stub.pem"
    pem.write_bytes(
        _certificate(key, "graph-stub", ip="127.0.0.1").public_bytes(serialization.Encoding.PEM)
    )
    pem.with_suffix(".key").write_bytes(_key_pem(key))
    return pem


def app_certificate(folder: Path) -> tuple[Path, Any]:
    """An RSA key and certificate for the app registration, as one PEM file (what
    certificate_path takes), and the certificate (to "upload" it: GraphStub.app_certificate)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _certificate(key, "wikibot-app")
    pem = folder / "wikibot-app.pem"
    pem.write_bytes(_key_pem(key) + certificate.public_bytes(serialization.Encoding.PEM))
    return pem, certificate
