"""Onboarding: a tenant's accounts at payment platforms, completeness, secrets.

Secrets are encrypted with ``core.crypto`` (key from the app settings) and never returned by
any read method: callers get ``secret_set`` / ``secret_set_at`` only. ``provider_account``
decrypts for the provider adapter, nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import crypto
from core.audit.service import SYSTEM, Actor, diff, record
from core.errors import FieldError, NotFound, ValidationFailed
from core.models import utcnow
from core.secret_rotation import StoredSecret
from plugins.epayment.models import PaymentAccount
from plugins.epayment.protocol import ProviderAccount

PLATFORMS: dict[str, str] = {"epaybl": "ePayBL", "pmpayment": "pmPayment"}
STAGES: dict[str, str] = {"integration": "Integration (Test)", "production": "Produktion"}
PAYMENT_METHODS: dict[str, str] = {
    "kreditkarte": "Kreditkarte",
    "paypal": "PayPal",
    "sepa_lastschrift": "SEPA-Lastschrift",
    "echtzeitueberweisung": "Echtzeitüberweisung",
    "giropay": "giropay/paydirekt",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    required: bool = True
    max_length: int | None = None
    kind: str = "text"  # text | int | url


COMMON_FIELDS = (
    FieldSpec("endpoint_url", "Adresse des Zahlungsdienstes (Endpunkt)", kind="url", max_length=500),
    FieldSpec("kz_prefix", "Kassenzeichen: Präfix", max_length=12),
    FieldSpec("kz_length", "Kassenzeichen: Gesamtlänge", kind="int"),
    FieldSpec("booking_text", "Buchungstext", max_length=200),
)
EPAYBL_FIELDS = (
    FieldSpec("mandant_integration", "Mandantennummer Integration", max_length=40),
    FieldSpec("mandant_production", "Mandantennummer Produktion", max_length=40),
    FieldSpec("bewirtschafter", "Bewirtschafternummer", max_length=40),
    FieldSpec("haushaltsstelle", "Haushaltsstelle", max_length=60),
    FieldSpec("objektnummer", "Objektnummer", max_length=60),
)
PMPAYMENT_FIELDS = (
    FieldSpec("merchant_id", "Kundennummer beim Zahlungsdienst (z. B. AGS)", max_length=60),
    FieldSpec("haushaltsstelle", "Haushaltsstelle", required=False, max_length=60),
)


def field_specs(platform: str) -> tuple[FieldSpec, ...]:
    return (EPAYBL_FIELDS if platform == "epaybl" else PMPAYMENT_FIELDS) + COMMON_FIELDS


def merchant_of(account: PaymentAccount) -> str | None:
    if account.platform == "epaybl":
        return account.mandant_production if account.stage == "production" else account.mandant_integration
    return account.merchant_id


def completeness(account: PaymentAccount | None, platform: str) -> dict[str, Any]:
    """Which required items are filled: ``{"done", "total", "percent", "missing": [labels]}``."""
    items: list[tuple[str, bool]] = []
    for spec in field_specs(platform):
        if spec.required:
            value = getattr(account, spec.name, None) if account else None
            items.append((spec.label, value not in (None, "")))
    items.append(("Geheimnis (Schlüssel) hinterlegt", bool(account and account.secret_encrypted)))
    items.append(("Mindestens eine Zahlart", bool(account and account.payment_methods)))
    if platform == "epaybl":
        items.append(("Kontierungsfelder mit Länge", bool(account and account.kontierung)))
    done = sum(1 for _, ok in items if ok)
    return {
        "done": done,
        "total": len(items),
        "percent": round(100 * done / len(items)),
        "missing": [label for label, ok in items if not ok],
    }


def account_view(account: PaymentAccount) -> dict[str, Any]:
    """Everything about an account a page or the API may show (no secret, not even encrypted)."""
    out = {spec.name: getattr(account, spec.name) for spec in field_specs(account.platform)}
    out.update(
        id=str(account.id),
        platform=account.platform,
        platform_label=PLATFORMS[account.platform],
        provider=account.provider,
        stage=account.stage,
        kontierung=list(account.kontierung or []),
        payment_methods=list(account.payment_methods or []),
        cost_fixed_cents=account.cost_fixed_cents,
        cost_percent_bp=account.cost_percent_bp,
        secret_set=bool(account.secret_encrypted),
        secret_set_at=account.secret_set_at.isoformat() if account.secret_set_at else None,
        version=account.version,
        completeness=completeness(account, account.platform),
    )
    return out


def _snapshot(account: PaymentAccount) -> dict[str, Any]:
    snap = account_view(account)
    snap.pop("completeness", None)
    snap.pop("version", None)
    return snap


async def list_accounts(session: AsyncSession, tenant_id: uuid.UUID) -> list[PaymentAccount]:
    rows = await session.scalars(
        select(PaymentAccount).where(PaymentAccount.tenant_id == tenant_id).order_by(PaymentAccount.platform)
    )
    return list(rows)


async def get_account(session: AsyncSession, tenant_id: uuid.UUID, account_id: uuid.UUID) -> PaymentAccount:
    account = await session.scalar(
        select(PaymentAccount).where(PaymentAccount.tenant_id == tenant_id, PaymentAccount.id == account_id)
    )
    if account is None:
        raise NotFound("Das Bezahlplattform-Konto wurde nicht gefunden.")
    return account


async def account_for_platform(
    session: AsyncSession, tenant_id: uuid.UUID, platform: str
) -> PaymentAccount | None:
    return await session.scalar(
        select(PaymentAccount).where(
            PaymentAccount.tenant_id == tenant_id, PaymentAccount.platform == platform
        )
    )


def _parse_kontierung(raw: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    """Accepts a list of {name, length} or text lines "Sachkonto:8"."""
    items: list[dict[str, Any]] = []
    if isinstance(raw, str):
        for line_no, line in enumerate((raw or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            name, _, length = line.rpartition(":")
            if not name.strip() or not length.strip().isdigit() or not 1 <= int(length) <= 40:
                errors.append(
                    FieldError(
                        "kontierung", f"Zeile {line_no}: bitte als „Feldname:Länge“ angeben (Länge 1–40)."
                    )
                )
                continue
            items.append({"name": name.strip(), "length": int(length)})
    elif isinstance(raw, list):
        for entry in raw:
            try:
                name, length = str(entry["name"]).strip(), int(entry["length"])
            except (KeyError, TypeError, ValueError):
                errors.append(FieldError("kontierung", "Jedes Kontierungsfeld braucht Name und Länge."))
                continue
            if not name or not 1 <= length <= 40:
                errors.append(FieldError("kontierung", "Kontierungsfeld: Name und Länge 1–40 angeben."))
                continue
            items.append({"name": name, "length": length})
    return items


def validate_account(platform: str, data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean the editable fields of an account; returns (values, errors)."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for spec in field_specs(platform):
        raw = data.get(spec.name)
        value = str(raw).strip() if raw not in (None, "") else None
        if value is None:
            values[spec.name] = None
            continue
        if spec.kind == "int":
            if not value.isdigit() or not 6 <= int(value) <= 30:
                errors.append(FieldError(spec.name, f"{spec.label}: bitte eine Zahl von 6 bis 30 angeben."))
                continue
            values[spec.name] = int(value)
            continue
        if spec.kind == "url" and not value.startswith(("http://", "https://")):
            errors.append(
                FieldError(spec.name, f"{spec.label}: bitte eine Adresse mit http:// oder https://.")
            )
            continue
        if spec.max_length and len(value) > spec.max_length:
            errors.append(FieldError(spec.name, f"{spec.label}: höchstens {spec.max_length} Zeichen."))
            continue
        values[spec.name] = value
    if values.get("kz_prefix") and not str(values["kz_prefix"]).isalnum():
        errors.append(FieldError("kz_prefix", "Präfix: nur Buchstaben und Ziffern."))
    if (
        values.get("kz_prefix")
        and values.get("kz_length")
        and len(values["kz_prefix"]) > values["kz_length"] - 4
    ):
        errors.append(FieldError("kz_length", "Gesamtlänge: mindestens vier Stellen mehr als das Präfix."))
    stage = str(data.get("stage") or "integration")
    if stage not in STAGES:
        errors.append(FieldError("stage", "Bitte Integration oder Produktion wählen."))
    values["stage"] = stage
    values["provider"] = str(data.get("provider") or "sandbox").strip()
    methods = data.get("payment_methods") or []
    if isinstance(methods, str):
        methods = [methods]
    unknown = [m for m in methods if m not in PAYMENT_METHODS]
    if unknown:
        errors.append(FieldError("payment_methods", "Unbekannte Zahlart: " + ", ".join(map(str, unknown))))
    values["payment_methods"] = [m for m in PAYMENT_METHODS if m in methods]
    values["kontierung"] = (
        _parse_kontierung(data.get("kontierung") or [], errors) if platform == "epaybl" else []
    )
    for name, label, limit in (
        ("cost_fixed_cents", "Transaktionskosten fest (Cent)", 100000),
        ("cost_percent_bp", "Transaktionskosten Anteil (Basispunkte)", 10000),
    ):
        raw = str(data.get(name) if data.get(name) is not None else "0").strip() or "0"
        if not raw.isdigit() or int(raw) > limit:
            errors.append(FieldError(name, f"{label}: ganze Zahl von 0 bis {limit}."))
        else:
            values[name] = int(raw)
    return values, errors


async def save_account(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    platform: str,
    data: dict[str, Any],
    *,
    actor: Actor = SYSTEM,
    encryption_key: str | None = None,
    known_providers: set[str] | None = None,
    version: int | None = None,
) -> PaymentAccount:
    """Create or update the tenant's account for ``platform``; a non-empty ``secret`` sets it."""
    if platform not in PLATFORMS:
        raise NotFound("Diese Bezahlplattform gibt es nicht.")
    values, errors = validate_account(platform, data)
    if known_providers is not None and values["provider"] not in known_providers:
        errors.append(FieldError("provider", "Dieser Zahlungsdienst-Adapter ist nicht installiert."))
    secret = str(data.get("secret") or "")
    if errors:
        raise ValidationFailed(errors)
    account = await account_for_platform(session, tenant_id, platform)
    if account is not None and version is not None and account.version != version:
        from core.errors import Conflict

        raise Conflict("Das Konto wurde inzwischen geändert.", current=account_view(account))
    old = _snapshot(account) if account else {}
    if account is None:
        account = PaymentAccount(tenant_id=tenant_id, platform=platform)
        session.add(account)
    for key, value in values.items():
        setattr(account, key, value)
    if secret:
        _set_secret(account, secret, encryption_key)
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action="epayment.account." + ("update" if old else "create"),
        actor=actor,
        entity_type="epayment_account",
        entity_id=account.id,
        changes=diff(old, _snapshot(account)),
    )
    return account


def _set_secret(account: PaymentAccount, secret: str, encryption_key: str | None) -> None:
    if not encryption_key:
        raise RuntimeError("Kein Schlüssel für Geheimnisse konfiguriert.")
    if not 16 <= len(secret) <= 500:
        raise ValidationFailed([FieldError("secret", "Das Geheimnis muss 16 bis 500 Zeichen lang sein.")])
    account.secret_encrypted = crypto.encrypt(secret, encryption_key)
    account.secret_set_at = utcnow()


async def set_secret(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    account_id: uuid.UUID,
    secret: str,
    *,
    encryption_key: str,
    actor: Actor = SYSTEM,
) -> PaymentAccount:
    """Set or rotate the secret; the audit trail notes that it changed, never the value."""
    account = await get_account(session, tenant_id, account_id)
    _set_secret(account, secret.strip(), encryption_key)
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action="epayment.account.secret_rotated",
        actor=actor,
        entity_type="epayment_account",
        entity_id=account.id,
        changes={"secret": ["(verborgen)", "(neu gesetzt)"]},
    )
    return account


async def stored_secrets(session: AsyncSession, tenant_id: uuid.UUID) -> list[StoredSecret]:
    """The tenant's encrypted platform secrets (for ``kommpass epayment rotate-keys``)."""
    return [
        StoredSecret(f"Bezahlplattform {account.platform}", account, "secret_encrypted")
        for account in await list_accounts(session, tenant_id)
        if account.secret_encrypted
    ]


def provider_account(account: PaymentAccount, encryption_key: str | None) -> ProviderAccount:
    """The decrypted view for the provider adapter (not for pages, the API or logs)."""
    merchant = merchant_of(account)
    if not account.secret_encrypted or not encryption_key or not merchant or not account.endpoint_url:
        raise ValidationFailed(
            [
                FieldError(
                    "account",
                    "Die Anbindung an die Bezahlplattform ist unvollständig "
                    "(Endpunkt, Mandanten-/Kundennummer oder Geheimnis fehlt).",
                )
            ]
        )
    return ProviderAccount(
        platform=account.platform,
        merchant_id=merchant,
        endpoint_url=account.endpoint_url,
        secret=crypto.decrypt(account.secret_encrypted, encryption_key),
        stage=account.stage,
        payment_methods=tuple(account.payment_methods or ()),
        booking_text=account.booking_text,
    )
