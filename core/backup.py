"""Backup and restore of one tenant (``kommpass tenants export|import``).

The export is a gzip-compressed JSON document: the tenant row, the users its memberships
refer to, and every row of every tenant table (all tables with a ``tenant_id`` column in
the models' metadata, plugins included), read through a session bound to the tenant, so
RLS applies as everywhere else.

Because every tenant table's primary key includes ``tenant_id``, a tenant can be restored
*as a new tenant* in the same database by replacing ``tenant_id`` only: all other ids and
all composite foreign keys stay valid. Users are matched by (issuer, subject).
Encrypted columns are exported encrypted: restoring needs the same encryption key.

Tables whose keys must be unique across all tenants (``Table.info["global_keys"] = True``,
e.g. the Kassenzeichen → tenant routes of the e-payment plugin) are restored into a fresh
database but skipped when restoring *as a new tenant*: a copy must not take over the
original's payment references.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, DateTime, LargeBinary, Numeric, Table, Time, Uuid, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session, tenant_session
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.registry import import_all_models
from tenants.models import Tenant, User
from tenants.validation import validate_slug

FORMAT = "kommpass-tenant-export"
FORMAT_VERSION = 1


def tenant_tables() -> list[Table]:
    """Tenant tables in dependency order (parents before children)."""
    metadata = import_all_models()
    return [t for t in metadata.sorted_tables if "tenant_id" in t.c and t.name != "tenants"]


def _dump(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, list | tuple):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _load(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    t = column.type
    if isinstance(t, Uuid):
        return uuid.UUID(value)
    if isinstance(t, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(t, Date):
        return dt.date.fromisoformat(value)
    if isinstance(t, Time):
        return dt.time.fromisoformat(value)
    if isinstance(t, Numeric) and isinstance(value, str):
        return decimal.Decimal(value)
    if isinstance(t, LargeBinary):
        return base64.b64decode(value)
    return value


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order rows so that a row referring to another row of the same table comes after it."""
    self_refs = [
        (fk.parent.name, fk.column.name)
        for fk in table.foreign_keys
        if fk.column.table is table and fk.parent.name != "tenant_id"
    ]
    if not self_refs:
        return rows
    ordered: list[dict[str, Any]] = []
    placed: set[tuple[str, Any]] = set()
    pending = list(rows)
    while pending:
        ready = [r for r in pending
                 if all(r.get(col) is None or (ref, r[col]) in placed for col, ref in self_refs)]
        if not ready:  # a cycle: let the database report it
            ready = pending
        for r in ready:
            ordered.append(r)
            for _col, ref in self_refs:
                placed.add((ref, r.get(ref)))
        pending = [r for r in pending if not any(r is x for x in ready)]
    return ordered


def _row(table: Table, row: Any) -> dict[str, Any]:
    return {c.name: _dump(row._mapping[c]) for c in table.columns}


async def export_tenant(sessionmaker: async_sessionmaker[AsyncSession], slug: str) -> dict[str, Any]:
    async with platform_session(sessionmaker) as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise NotFound(f"Mandant „{slug}“ nicht gefunden.")
        tenant_row = _row(Tenant.__table__, (await session.execute(
            select(Tenant.__table__).where(Tenant.__table__.c.id == tenant.id))).one())
        tenant_id = tenant.id
    tables: dict[str, list[dict[str, Any]]] = {}
    user_ids: set[str] = set()
    async with tenant_session(sessionmaker, tenant_id) as session:
        for table in tenant_tables():
            stmt = select(table).where(table.c.tenant_id == tenant_id)
            pk = list(table.primary_key.columns)
            rows = [_row(table, r) for r in (await session.execute(stmt.order_by(*pk))).all()]
            tables[table.name] = rows
            for column in table.columns:
                if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                    user_ids.update(r[column.name] for r in rows if r[column.name])
    async with platform_session(sessionmaker) as session:
        users = [
            _row(User.__table__, r)
            for r in (await session.execute(
                select(User.__table__).where(User.__table__.c.id.in_([uuid.UUID(u) for u in user_ids]))
            )).all()
        ] if user_ids else []
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "tenant": tenant_row,
        "users": users,
        "tables": tables,
    }


def write_export(data: dict[str, Any], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)


def read_export(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationFailed([FieldError("file", f"Datei ist kein Kommpass-Mandantenexport: {exc}")]) from exc
    if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        raise ValidationFailed([FieldError("file", "Unbekanntes Exportformat oder unbekannte Formatversion.")])
    return data


async def import_tenant(sessionmaker: async_sessionmaker[AsyncSession], data: dict[str, Any], *,
                        new_slug: str | None = None, new_name: str | None = None) -> uuid.UUID:
    """Restore an export; with ``new_slug`` as a new tenant (new id), else with its original id.

    Runs in one transaction per phase; a failure leaves no partial tenant behind (the
    tenant row is deleted again if the data phase fails).
    """
    tenant_cols = Tenant.__table__.columns
    tenant_row = {c.name: _load(c, data["tenant"].get(c.name)) for c in tenant_cols if c.name in data["tenant"]}
    if new_slug:
        validate_slug(new_slug)
        tenant_row.update(id=uuid.uuid4(), slug=new_slug, name=new_name or tenant_row["name"], version=1)
    new_id: uuid.UUID = tenant_row["id"]
    user_map: dict[str, uuid.UUID] = {}
    async with platform_session(sessionmaker) as session:
        if await session.scalar(select(Tenant.id).where(
                (Tenant.slug == tenant_row["slug"]) | (Tenant.id == new_id))):
            raise Conflict(f"Ein Mandant „{tenant_row['slug']}“ (oder mit derselben Kennung) existiert bereits.")
        await session.execute(insert(Tenant.__table__).values(**tenant_row))
        users = User.__table__
        for raw in data.get("users", []):
            values = {c.name: _load(c, raw.get(c.name)) for c in users.columns if c.name in raw}
            existing = await session.scalar(select(users.c.id).where(
                users.c.issuer == values["issuer"], users.c.subject == values["subject"]))
            if existing is None:
                if await session.scalar(select(users.c.id).where(users.c.id == values["id"])):
                    values["id"] = uuid.uuid4()
                await session.execute(insert(users).values(**values))
                existing = values["id"]
            user_map[raw["id"]] = existing
    try:
        async with tenant_session(sessionmaker, new_id) as session:
            for table in tenant_tables():
                rows = data["tables"].get(table.name, [])
                if not rows or (new_slug and table.info.get("global_keys")):
                    continue
                user_cols = [c.name for c in table.columns
                             if any(fk.column.table.name == "users" for fk in c.foreign_keys)]
                batch = []
                for raw in _parents_first(table, rows):
                    values = {c.name: _load(c, raw.get(c.name)) for c in table.columns if c.name in raw}
                    values["tenant_id"] = new_id
                    for name in user_cols:
                        if raw.get(name):
                            values[name] = user_map.get(raw[name], values[name])
                    batch.append(values)
                await session.execute(insert(table), batch)
    except Exception:
        async with platform_session(sessionmaker) as session:
            await session.execute(Tenant.__table__.delete().where(Tenant.__table__.c.id == new_id))
        raise
    return new_id
