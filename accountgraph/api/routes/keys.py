"""API keys, for admins. A key is shown once, at creation; only the hash of its secret is stored.

An admin key limited to accounts manages only keys limited to (some of) the same accounts; a key is only
limited to accounts that exist (`accountgraph.services.keys.create_key`).
"""

from __future__ import annotations

from fastapi import APIRouter, status

from accountgraph.api.deps import AdminAccess, RecordId
from accountgraph.api.models import ApiKeyInfo, CreatedKey, KeyCreate
from accountgraph.services import keys
from accountgraph.services.paging import Page

router = APIRouter(prefix="/keys", tags=["keys"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a key (shown once)")
def create_key(access: AdminAccess, body: KeyCreate) -> CreatedKey:
    record, secret = keys.create_key(access.store, access.scope, body.role, name=body.name, accounts=body.accounts)
    return CreatedKey(**ApiKeyInfo.of(record).model_dump(), key=secret)


@router.get("", summary="List keys (revoked ones included)", response_model=Page[ApiKeyInfo])
def list_keys(access: AdminAccess) -> Page[ApiKeyInfo]:
    found = [ApiKeyInfo.of(k) for k in keys.list_keys(access.store, access.scope)]
    return Page[ApiKeyInfo](data=found, count=len(found), next_cursor=None)


@router.get("/{id}", summary="Read a key")
def get_key(access: AdminAccess, id: RecordId) -> ApiKeyInfo:
    return ApiKeyInfo.of(keys.get_key(access.store, access.scope, id))


@router.delete("/{id}", summary="Revoke a key (it stays listed, with `revoked_at`)")
def revoke_key(access: AdminAccess, id: RecordId) -> ApiKeyInfo:
    return ApiKeyInfo.of(keys.revoke_key(access.store, access.scope, id))
