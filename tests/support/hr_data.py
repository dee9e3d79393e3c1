"""HR records the personal-answer tests use: an export, the HRIS stand-in's employees,
the Slack users' emails, and ways people ask for their own balance."""

from __future__ import annotations

PHRASINGS = [
    "How many vacation days do I have left?",
    "What's my PTO balance?",
    "how much holiday have I got remaining",
    "Do I still have annual leave this year?",
    "how many days off are left for me?",
]
EXPORT = (
    "employee_id,email,name,department,manager,vacation_balance,vacation_accrued,"
    "vacation_used,sick_balance,as_of,badge\n"
    """1,alice@example.com,Alice,Eng,Carol,17.5,25,7.5,4,2026-11-20,A-1
2,bob@example.com,Bob,Ops,Carol,3,25,22,9,2026-11-20,B-2
"""
)
EMPLOYEES = [
    {
        "id": 7,
        "workEmail": "zed@example.com",
        "displayName": "Zed",
        "balance_vacation": 1,
        "balance_sick": 1,
    },
    {
        "id": 8,
        "workEmail": "yan@example.com",
        "displayName": "Yan",
        "balance_vacation": 2,
        "balance_sick": 2,
    },
    {
        "id": 9,
        "workEmail": "alice@example.com",
        "displayName": "Alice",
        "department": "Eng",
        "supervisor": "Carol",
        "balance_vacation": 17.5,
        "balance_sick": 4,
    },
    {
        "id": 10,
        "workEmail": "bob@example.com",
        "displayName": "Bob",
        "balance_vacation": 3,
        "balance_sick": 9,
    },
]
EMAILS = {"UALICE": "alice@example.com", "UBOB": "bob@example.com", "UNEW": "new@example.com"}
