"""A certificate as the app's credential: MSAL signs a client assertion with its private key;
Entra ID checks it against the certificate uploaded to the app registration (identified by
its SHA-1 thumbprint, which is computed here from the certificate in the same PEM file)."""

from __future__ import annotations

from pathlib import Path


def certificate_credential(path: Path) -> dict[str, str]:
    """MSAL's ``client_credential`` for a PEM file holding a private key and its certificate.
    Raises ValueError (or OSError) with a reason an admin can act on."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    data = path.read_bytes()
    if b"PRIVATE KEY-----" not in data:
        raise ValueError(f"{path} holds no private key (PEM: the key and the certificate)")
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise ValueError(f"{path} holds no certificate (PEM: the key and the certificate)")
    start = data.index(b"-----BEGIN CERTIFICATE-----")
    certificate = x509.load_pem_x509_certificate(data[start:])
    thumbprint = certificate.fingerprint(hashes.SHA1()).hex().upper()
    return {"private_key": data.decode("ascii"), "thumbprint": thumbprint}
