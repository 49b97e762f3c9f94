"""Wrong passwords for agent accounts: guessing stays bounded, also in parallel and across desk replicas,
and a stranger cannot lock an agent out.

Every attempt is reserved *before* the password is checked: one atomic upsert per counter, in one
transaction, in the database all replicas share (the row lock puts parallel attempts in line). An attempt
that would pass a limit is refused without running scrypt and changes nothing, so 50 guesses at once
check at most the limit. Counters live for a fixed 15-minute window; `unlock` clears an account's.

Which counters an attempt reserves (in this order, so parallel transactions never wait on each other in a
circle):

- `device`: the browser signed in to this account before (an HttpOnly cookie, stored hashed). Only this
  counter applies: the right password from there is never held up by what others tried elsewhere.
- `pair`: this account from this address. Strangers elsewhere cannot lock it.
- `address`: every account from this address (trying many accounts from one place), not for an address
  the agent signed in from before.
- `account`: this account from every unknown place together (many addresses), likewise.

The first counter also slows down: after LOGIN_SLOWDOWN_AFTER failures each next try waits 1, 2, 4 s.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot import hours
from bot.delivery import MONTHS
from bot.desk.agents.models import Agent, KnownLogin, LoginCount
from bot.desk.db import utcnow

WINDOW = timedelta(minutes=15)
ADDRESS_FACTOR = 3  # an address may fail this many times the per-account limit, over all accounts
ACCOUNT_FACTOR = 5  # an account may fail this many times the limit from all unknown places together
KNOWN_FOR = timedelta(days=90)  # an address the agent signed in from counts as known this long
DEVICES_KEPT = 20  # per agent: browsers that signed in, newest first

REFUSED = {
    "device": "Te veel mislukte inlogpogingen op dit apparaat: inloggen is hier 15 minuten geblokkeerd. "
              "Een beheerder kan je account ontgrendelen.",
    "pair": "Te veel mislukte inlogpogingen: inloggen op dit account is vanaf deze verbinding 15 minuten "
            "geblokkeerd. Op een apparaat waarmee je eerder inlogde lukt het wel, of vraag een beheerder om je "
            "account te ontgrendelen.",
    "address": "Te veel mislukte inlogpogingen vanaf deze verbinding: inloggen is hier 15 minuten geblokkeerd.",
    "account": "Er is heel vaak met een verkeerd wachtwoord geprobeerd op dit account in te loggen. Vanaf een nieuw "
               "apparaat of netwerk is inloggen daarom 15 minuten geblokkeerd; waar je eerder inlogde lukt het wel. "
               "Een beheerder kan je account ook ontgrendelen.",
}


class LoginRefused(Exception):
    """Too many attempts from where this one comes from; nothing was checked or counted."""

    def __init__(self, scope: str, retry_after: float) -> None:
        super().__init__(REFUSED[scope])
        self.scope = scope
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass(frozen=True)
class Attempt:
    username: str
    address: str
    device: str | None  # digest of a known device of this account, else None
    counters: tuple[str, ...]  # the keys reserved, the first one the account's own
    wait: float  # seconds to wait before the password is checked


@dataclass(frozen=True)
class Welcome:
    notice: str | None  # wrong passwords tried on the account since the agent's last sign-in
    device_token: str | None  # a new device cookie to set (None: the browser already has a known one)


def digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _limits(settings) -> dict[str, int]:
    per_account = settings.login_lockout_after
    return {"device": per_account, "pair": per_account, "address": ADDRESS_FACTOR * per_account,
            "account": ACCOUNT_FACTOR * per_account}


def _key(scope: str, username: str | None, source: str | None) -> str:
    return "|".join([scope, username or "", source or ""])


def _scope(key: str) -> str:
    return key.split("|", 1)[0]


def _known(session: Session, *, username: str, kind: str, value: str, since: datetime | None = None) -> bool:
    query = (select(KnownLogin.id).join(Agent, Agent.id == KnownLogin.agent_id)
             .where(Agent.username == username, KnownLogin.kind == kind, KnownLogin.digest == digest(kind, value)))
    if since is not None:
        query = query.where(KnownLogin.last_seen >= since)
    return session.execute(query.limit(1)).first() is not None


def _bump(session: Session, *, key: str, username: str | None, now: datetime) -> tuple[int, datetime]:
    """One more attempt on this counter (a new window when the last one ended); the count now. The upsert
    holds the row until the transaction ends, so parallel attempts are counted one after the other."""
    table = LoginCount.__table__
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    ended = table.c.window_start < now - WINDOW
    session.execute(insert(table).values(counter_key=key, scope=_scope(key), username=username, count=1,
                                         window_start=now)
                    .on_conflict_do_update(index_elements=[table.c.counter_key], set_={
                        "count": case((ended, 1), else_=table.c.count + 1),
                        "window_start": case((ended, now), else_=table.c.window_start)}))
    count, started = session.execute(select(table.c.count, table.c.window_start)
                                     .where(table.c.counter_key == key)).one()
    return count, started


def reserve(session: Session, *, username: str, address: str, device_token: str | None, settings,
            now: datetime | None = None) -> Attempt:
    """Counts this attempt before the password is checked. Raises LoginRefused (and counts nothing) when
    a limit is reached; commit the session to keep the reservation."""
    now = now or utcnow()
    device = device_token if device_token and _known(session, username=username, kind="device",
                                                      value=device_token) else None
    if device:
        keys = [(_key("device", username, digest("device", device)), username)]
    else:
        keys = [(_key("pair", username, address), username)]
        if not _known(session, username=username, kind="address", value=address, since=now - KNOWN_FOR):
            keys += [(_key("address", None, address), None), (_key("account", username, None), username)]
    limits = _limits(settings)
    first_count = 0
    for key, owner in keys:
        count, started = _bump(session, key=key, username=owner, now=now)
        if count > limits[_scope(key)]:
            raise LoginRefused(_scope(key), (started + WINDOW - now).total_seconds())
        first_count = first_count or count
    extra = (first_count - 1) - settings.login_slowdown_after + 1  # failures before this one, past the slowdown
    wait = 0.0 if extra <= 0 else min(2.0 ** (extra - 1), 4.0)
    return Attempt(username=username, address=address, device=digest("device", device) if device else None,
                   counters=tuple(key for key, _ in keys), wait=wait)


def forget_expired(session: Session, *, now: datetime | None = None) -> None:
    """Drops counters whose window ended (an expired one would start again anyway). In a transaction of its
    own, skipping rows a login holds: it never waits, so it never deadlocks with one."""
    ended = (select(LoginCount.counter_key).where(LoginCount.window_start < (now or utcnow()) - WINDOW)
             .with_for_update(skip_locked=True))
    session.execute(delete(LoginCount).where(LoginCount.counter_key.in_(ended))
                    .execution_options(synchronize_session=False))  # no counter objects in this session


def failed(session: Session, *, attempt: Attempt, now: datetime | None = None) -> None:
    """The reservation stays counted; the account remembers it for the agent's next sign-in."""
    session.execute(update(Agent).where(Agent.username == attempt.username)
                    .values(failed_logins=Agent.failed_logins + 1, last_failed_login_at=now or utcnow()))


def succeeded(session: Session, *, attempt: Attempt, agent: Agent, now: datetime | None = None) -> Welcome:
    """The right password: its own counter starts again, the others do not count it, and the device and
    address become known. Returns what the agent should hear about failed attempts since last time."""
    now = now or utcnow()
    own, *others = attempt.counters
    session.execute(delete(LoginCount).where(LoginCount.counter_key == own))
    if others:
        session.execute(update(LoginCount).where(LoginCount.counter_key.in_(others), LoginCount.count > 0)
                        .values(count=LoginCount.count - 1))
    new_device = None if attempt.device else secrets.token_urlsafe(32)
    _remember(session, agent=agent, kind="device", value_digest=attempt.device or digest("device", new_device), now=now)
    _remember(session, agent=agent, kind="address", value_digest=digest("address", attempt.address), now=now)
    notice = _notice(agent.failed_logins or 0, agent.last_failed_login_at)
    agent.failed_logins, agent.last_failed_login_at = 0, None
    return Welcome(notice=notice, device_token=new_device)


def _remember(session: Session, *, agent: Agent, kind: str, value_digest: str, now: datetime) -> None:
    row = session.scalars(select(KnownLogin).where(KnownLogin.agent_id == agent.id, KnownLogin.kind == kind,
                                                   KnownLogin.digest == value_digest)).first()
    if row is None:
        session.add(KnownLogin(agent_id=agent.id, kind=kind, digest=value_digest, last_seen=now))
    else:
        row.last_seen = now
    session.flush()
    if kind == "device":
        old = select(KnownLogin.id).where(KnownLogin.agent_id == agent.id, KnownLogin.kind == "device") \
            .order_by(KnownLogin.last_seen.desc()).offset(DEVICES_KEPT)
        session.execute(delete(KnownLogin).where(KnownLogin.id.in_(list(session.scalars(old)))))
    else:
        session.execute(delete(KnownLogin).where(KnownLogin.agent_id == agent.id, KnownLogin.kind == "address",
                                                 KnownLogin.last_seen < now - KNOWN_FOR))


def _notice(failures: int, last: datetime | None) -> str | None:
    if not failures:
        return None
    when = ""
    if last is not None:
        local = hours.load().local(last)  # the team's time zone, from business_hours.yml
        when = f", het laatst op {local.day} {MONTHS[local.month - 1]} om {local:%H:%M}"
    times = "1 keer" if failures == 1 else f"{failures} keer"
    return (f"Sinds je vorige keer inloggen is {times} met een verkeerd wachtwoord geprobeerd op je account in te "
            f"loggen{when}. Was jij dat niet? Meld het aan je teamleider.")


def access(session: Session, *, settings) -> list[dict]:
    """Every account: whether it is locked out somewhere now (until when) and the wrong passwords since its
    last sign-in."""
    until = locked_until(session, settings=settings)
    return [{"username": a.username, "first_name": a.first_name, "role": a.role, "active": a.active,
             "failed_logins": a.failed_logins or 0,
             "locked_until": until[a.username].isoformat() + "Z" if a.username in until else None}
            for a in session.scalars(select(Agent).order_by(Agent.username))]


def unlock(session: Session, *, username: str) -> int | None:
    """Clears every counter of this account (an admin's decision); returns how many there were, or None when
    there is no such account."""
    if session.scalars(select(Agent.id).where(Agent.username == username.strip().lower())).first() is None:
        return None
    return session.execute(delete(LoginCount).where(LoginCount.username == username.strip().lower())).rowcount


def locked_until(session: Session, *, settings, now: datetime | None = None) -> dict[str, datetime]:
    """Accounts that are locked somewhere right now (from an address, a device, or for unknown places),
    with the moment the last of those locks ends."""
    now = now or utcnow()
    limits = _limits(settings)
    rows = session.execute(select(LoginCount.username, LoginCount.scope, LoginCount.count, LoginCount.window_start)
                           .where(LoginCount.username.is_not(None), LoginCount.window_start >= now - WINDOW))
    until: dict[str, datetime] = {}
    for username, scope, count, started in rows:
        if count >= limits.get(scope, math.inf):
            until[username] = max(until.get(username, started + WINDOW), started + WINDOW)
    return until
