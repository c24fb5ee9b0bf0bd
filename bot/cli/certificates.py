"""`python -m bot certificates verify|revoke|list`: the office's side of certificates anyone can check.

`verify` answers as the chat and the public page do (exit 0 valid, 1 not valid or not found);
`revoke` marks one revoked, with the reason, and writes the audit log; `list` shows the newest, with
the holder's name masked as everywhere else. Nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.cli.arguments import at_least_one

if TYPE_CHECKING:
    from bot.certificates.service import Certificates
    from bot.config import Settings

T = TypeVar("T")
CLI_ACTOR = "cli"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = commands.add_parser("certificates", help="check, revoke and list certificates")
    actions = group.add_subparsers(dest="certificates_action", required=True, metavar="ACTION")

    verify = actions.add_parser("verify", help="is this certificate code valid? (exit 0 yes, 1 no)")
    verify.add_argument("code", help="the code as printed, e.g. ABCDE-12345 (case and dash do not matter)")
    verify.add_argument("--json", action="store_true", help="end with one line holding a JSON object")
    verify.set_defaults(handler=run_verify)

    revoke = actions.add_parser("revoke", help="revoke a certificate; the audit log records it")
    revoke.add_argument("code")
    revoke.add_argument("--reason", required=True, help="why, for the record (e.g. 'issued by mistake')")
    revoke.set_defaults(handler=run_revoke)

    listing = actions.add_parser("list", help="the newest certificates (holders' names masked)")
    listing.add_argument("--commune", metavar="ID", help="only residents of this commune")
    listing.add_argument("--limit", type=at_least_one, default=200, help="how many (default 200)")
    listing.add_argument("--json", action="store_true", help="end with one line holding a JSON array")
    listing.set_defaults(handler=run_list)


def _with_certificates(settings: Settings, work: Callable[[Certificates], Awaitable[T]]) -> T:
    async def main() -> T:
        from bot.certificates.service import Certificates
        from bot.content import load_catalog
        from bot.storage.db import create_engine, session_factory

        catalog, _faults = load_catalog(settings.lessons_dir, settings.default_language)
        # Never a new database at a mistyped path; no migration either (the bot's start does that).
        engine = create_engine(settings.database_url, must_exist=True)
        try:
            return await work(Certificates(session_factory(engine), catalog, settings))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.certificates.verification import verdict_text

    # A missing or unreachable database is told in one line by `python -m bot` itself (bot.cli.failures).
    verdict = _with_certificates(settings, lambda certificates: certificates.verify(args.code))
    print(verdict_text("vi", verdict, settings.cert_issuer))
    if args.json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    return 0 if verdict.valid else 1


def run_revoke(args: argparse.Namespace, settings: Settings) -> int:
    reason = " ".join(args.reason.split())[:200]
    if not reason:
        print("error: --reason must say why", file=sys.stderr)
        return 2
    code = _with_certificates(settings, lambda certificates: certificates.revoke(args.code, reason, CLI_ACTOR))
    if code is None:
        print(f"no certificate has the code {args.code}", file=sys.stderr)
        return 1
    print(f"revoked {code}: {reason}")
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.certificates.verification import mask_name, title_of
    from bot.storage.certificates import shown

    if args.commune is not None and args.commune not in {c.id for c in settings.communes}:
        print(f"error: unknown commune {args.commune}", file=sys.stderr)
        return 2

    async def work(certificates: Certificates) -> list[dict[str, Any]]:
        rows = await certificates.listing(args.commune, args.limit)
        return [
            {
                "code": shown(row.code),
                "module": row.module_id,
                "title": title_of(certificates.catalog, row.module_id, "vi"),
                "score": row.score,
                "issued": row.issued_at.astimezone(settings.tz).date().isoformat(),
                "commune": row.commune_id,
                "holder": mask_name(row.holder),
                "revoked": row.revoked_at is not None,
                "revoked_reason": row.revoked_reason,
            }
            for row in rows
        ]

    entries = _with_certificates(settings, work)
    if not entries:
        print("no certificates")
    for entry in entries:
        state = f"REVOKED ({entry['revoked_reason']})" if entry["revoked"] else "valid"
        print(
            f"{entry['code']}  {entry['issued']}  {entry['score']:>3}%  {entry['commune'] or '-':<14} "
            f"{entry['holder']:<16} {entry['title']}  {state}"
        )
    if args.json:
        print(json.dumps(entries, ensure_ascii=False))
    return 0
