"""Group members by platform id or by e-mail (matched against the verified e-mail, in DMs)."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_app
from bot.config import load_settings
from bot.groups import GroupDirectory
from bot.models import ChatEvent
from tests.support.fakes import RecordingEngine


class _Identity:
    def __init__(self, email: str | None) -> None:
        self.email = email

    async def email_of(self, user: str) -> str | None:
        return self.email


def test_members_by_id_platform_id_or_email() -> None:
    groups = GroupDirectory({"hr-only": ["U1", "teams:aad-2", "Alice@Example.com"]})
    assert groups.groups_of("slack", "U1") == {"hr-only"}
    assert groups.groups_of("teams", "aad-2") == {"hr-only"}
    assert groups.groups_of("slack", "aad-2") == frozenset()
    assert groups.groups_of_email("alice@example.COM") == {"hr-only"}
    assert groups.groups_of_email("bob@example.com") == frozenset()


async def test_a_dm_asker_gets_the_groups_of_their_verified_email(tmp_path: Path) -> None:
    groups_file = tmp_path / "groups.yaml"
    groups_file.write_text("hr-only: [alice@example.com]\n")
    settings = load_settings(data_dir=tmp_path / "data", groups_file=groups_file)
    pipeline = build_app(settings, engine=RecordingEngine()).pipeline
    dm = ChatEvent(platform="slack", workspace="T", channel="D1", user="UALICE", text="q",
                   is_dm=True)
    verified = await pipeline.viewer_of(dm, _Identity("Alice@example.com"))
    assert verified.groups == {"hr-only"} and verified.email == "Alice@example.com"
    unverified = await pipeline.viewer_of(dm, _Identity(None))
    assert unverified.groups == frozenset()
    channel = dm.model_copy(update={"is_dm": False, "channel": "C1"})
    assert (await pipeline.viewer_of(channel, _Identity("Alice@example.com"))).public_only


def test_a_conversation_reads_only_what_every_member_may_read() -> None:
    from bot.answer.retrieval import acl_filter
    from bot.models import RetrievedChunk, Viewer

    def chunk(**acl: object) -> RetrievedChunk:
        fields: dict[str, object] = {"acl_public": False, **acl}
        return RetrievedChunk(chunk_id="c", doc_id="d", title="t", source="s", text="x",
                              **fields)  # type: ignore[arg-type]

    hr1 = Viewer(user="U1", groups=frozenset({"hr"}))
    hr2 = Viewer(user="U2", email="b@x.test", groups=frozenset({"hr"}))
    outsider = Viewer(user="U3")
    hr_doc, bob_doc = chunk(acl_groups=["hr"]), chunk(acl_users=["b@x.test"])
    assert Viewer(members=(hr1, hr2)).may_read(hr_doc)
    assert not Viewer(members=(hr1, hr2, outsider)).may_read(hr_doc)
    assert not Viewer(members=(hr1, hr2)).may_read(bob_doc)  # only one member is named
    assert Viewer(members=(hr1, hr2)).may_read(chunk(acl_public=True))
    assert not Viewer(members=(hr1,)).public_only
    # the search matches any member; the check above then needs every member
    should = acl_filter(Viewer(members=(hr1, hr2, outsider))).should
    assert should is not None and len(should) == 3  # public, people, groups
