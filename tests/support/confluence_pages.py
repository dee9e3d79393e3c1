"""A small Confluence wiki in realistic storage format (as the REST API returns it) for the
stand-in server: headings, tables, code/panel/expand/toc macros, page links, a restricted
page with a child that inherits the restriction, a page restricted to one person, a space
only HR may read, and filler pages so searches page across several result pages."""

from __future__ import annotations

from tests.support.confluence_stub import ConfluenceStub, Page

ONBOARDING = """<ac:structured-macro ac:name="toc" ac:schema-version="1">
<ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>
<p>Welcome to engineering. Read the <ac:link><ri:page ri:content-title="Incident response" />
</ac:link> page in your first week.</p>
<h2>Laptops</h2>
<table><colgroup><col /><col /></colgroup><tbody>
<tr><th><p>Role</p></th><th><p>Laptop</p></th></tr>
<tr><td><p>Backend engineer</p></td><td><p>ThinkPad X1 Carbon, 32 GB</p></td></tr>
<tr><td><p>Designer</p></td><td><p>MacBook Pro 14, 36 GB</p></td></tr>
</tbody></table>
<h2>VPN set-up</h2>
<p>Install the Wiregate client, then run:</p>
<ac:structured-macro ac:name="code" ac:schema-version="1">
<ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body>
<![CDATA[wiregate connect --profile office-berlin && wiregate status]]></ac:plain-text-body>
</ac:structured-macro>
<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body>
<p>The VPN profile expires every 90 days; renew it in the self-service portal.</p>
</ac:rich-text-body></ac:structured-macro>
"""

INCIDENTS = """<h2>Severity levels</h2>
<p>A SEV1 incident is a full outage of the customer platform.
Page the on-call engineer within 5 minutes.</p>
<ac:structured-macro ac:name="warning" ac:schema-version="1">
<ac:parameter ac:name="title">Never skip the status page</ac:parameter><ac:rich-text-body>
<p>Post a status page update within 15 minutes of declaring a SEV1.</p></ac:rich-text-body>
</ac:structured-macro>
<h2>After the incident</h2>
<ac:structured-macro ac:name="expand" ac:schema-version="1">
<ac:parameter ac:name="title">Postmortem template</ac:parameter><ac:rich-text-body>
<p>Every SEV1 gets a blameless postmortem within 3 working days.</p></ac:rich-text-body>
</ac:structured-macro>
"""

SECURITY = """<h2>Access reviews</h2>
<p>Security access reviews happen quarterly; the security team signs off every admin grant.
Restricted marker SECRET-ALPHA.</p>
"""

BREAK_GLASS = """<h2>Break-glass procedure</h2>
<p>The break-glass credentials are in the red envelope in safe 4471.
Restricted marker SECRET-BRAVO.</p>
"""

SALARY = """<h2>Salary bands</h2>
<p>The salary band for staff engineers is 120,000 to 150,000 euros.
Restricted marker SECRET-CHARLIE.</p>
"""

PAYROLL = """<h2>Payroll calendar</h2>
<p>Payroll runs on the 25th of every month.
Restricted marker SECRET-DELTA.</p>
"""

RESTRICTED_MARKERS = {"103": "SECRET-ALPHA", "104": "SECRET-BRAVO", "105": "SECRET-CHARLIE"}
RESTRICTED_MARKERS["200"] = "SECRET-DELTA"
FILLER_TOPICS = [
    "coffee machine",
    "bike parking",
    "meeting rooms",
    "printer",
    "plants",
    "lockers",
    "parcel delivery",
    "fire drills",
    "kitchen rota",
    "guest wifi",
    "lost and found",
    "standing desks",
]


def filler(topic: str) -> str:
    return (
        f"<h2>About the {topic}</h2><p>Questions about the {topic} go to the office team. "
        f"The {topic} rules are posted on the office notice board next to reception.</p>"
    )


def populate(stub: ConfluenceStub) -> None:
    stub.spaces["ENG"] = {"groups": ["confluence-users"]}
    stub.spaces["HR"] = {"groups": ["hr-staff"]}
    stub.add(Page("100", "Engineering", "ENG", "<p>The engineering space home page.</p>"))
    stub.add(Page("101", "Onboarding", "ENG", ONBOARDING, parent="100", labels=["onboarding"]))
    stub.add(Page("102", "Incident response", "ENG", INCIDENTS, parent="100"))
    stub.add(Page("103", "Security", "ENG", SECURITY, parent="100", groups=["security-team"]))
    stub.add(Page("104", "Break-glass runbook", "ENG", BREAK_GLASS, parent="103"))
    dana = {"type": "known", "accountId": "acc-dana", "email": "Dana@acme.test"}
    stub.add(Page("105", "Salary bands", "ENG", SALARY, parent="100", users=[dana]))
    stub.add(Page("106", "Empty draft", "ENG", "<p></p>", parent="100"))
    for number, topic in enumerate(FILLER_TOPICS, start=110):
        stub.add(Page(str(number), f"Office {topic}", "ENG", filler(topic), parent="100"))
    stub.add(Page("200", "Payroll calendar", "HR", PAYROLL))


SOURCES_YAML = """sources:
  - name: wiki
    type: confluence
    url: {url}
    deployment: cloud
    email: bot@acme.test
    token_env: CONF_TOKEN
    spaces: [ENG, HR]
    page_size: 5
"""
