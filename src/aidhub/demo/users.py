"""The demo's people: one account per role, all with the same demo password, so that a
visitor can sign in as each of them and see what each role may do. Only for the demo
database: a real deployment makes its accounts with `aidhub users add`."""

import os

from aidhub.services import accounts
from aidhub.services.context import Context

DEMO_PASSWORD = os.environ.get("AIDHUB_DEMO_PASSWORD", "aidhub demo password")
USERS = (  # username, name, role, organisation
    ("admin", "Hub administrator", "admin", "WFP"),
    ("manager", "Rania Haddad", "hub_manager", "WFP"),
    ("reception", "Amal Khatib", "reception", "WFP"),
    ("screening", "Omar Sabbagh", "screening", "WFP"),
    ("warehouse", "Yusuf Darwish", "warehouse", "WFP"),
    ("dispatcher", "Khaled Haddad", "dispatcher", "WFP"),
    ("coordinator", "Lina Aziz", "coordinator", "OCHA"),
    ("partner", "Sami Najjar", "partner", "SARC"),
    ("donor", "Claire Martin", "donor", "ECHO"),
)


def load(ctx: Context, tag: str) -> int:
    for username, name, role, org in USERS:
        accounts.add_user(ctx, username, name=name, password=DEMO_PASSWORD,
                          key=f"{tag}:user:{username}")
        accounts.grant(ctx, username, role, org, key=f"{tag}:grant:{username}")
    return len(USERS)
