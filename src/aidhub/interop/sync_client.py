"""The site node's HTTP client for the central server's sync API (httpx).

Every call is a small request that can be repeated: a cut link only costs the call in
flight, which the next sync repeats. Errors come back as :class:`SyncError` (the central
server refused, with the batch it wants) or :class:`Unreachable` (no answer).
"""

from typing import Any

import httpx

from aidhub.domain.errors import AidhubError
from aidhub.domain.sync import SyncError

PREFIX = "/api/v1/sync"


class Unreachable(AidhubError):
    """The central server did not answer; the node keeps working and tries again."""


class CentralClient:
    def __init__(self, url: str, token: str, *, client: httpx.Client | None = None,
                 timeout: float = 60.0):
        self.token = token
        self._http = client or httpx.Client(base_url=url.rstrip("/"), timeout=timeout)
        self._headers = {"Authorization": f"Bearer {token}"}
        self.bytes_sent = 0
        self.bytes_received = 0

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, PREFIX + path, headers=self._headers,
                                          **kwargs)
        except httpx.HTTPError as exc:
            raise Unreachable("the central server did not answer: %(error)s",
                              error=str(exc)) from None
        self.bytes_received += len(response.content)
        if response.request.content:
            self.bytes_sent += len(response.request.content)
        if response.status_code == 409:
            body = response.json()
            raise SyncError(body.get("detail", "refused"), expected=body.get("expected"))
        if response.status_code == 401:
            raise SyncError("the central server does not know this node's token (revoked, "
                            "or for another server)")
        if response.status_code >= 500:
            raise Unreachable("the central server answered %(status)s",
                              status=response.status_code)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:200]
            raise SyncError("the central server refused: %(detail)s", detail=detail)
        try:
            return response.json()
        except ValueError:
            raise Unreachable("the central server's answer was cut short") from None

    def hello(self) -> dict[str, Any]:
        return self._call("GET", "/hello")

    def push(self, batch: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/batches", json=batch)

    def changes(self, after: int, limit: int) -> dict[str, Any]:
        return self._call("GET", "/changes", params={"after": after, "limit": limit})

    def snapshot(self, table: str, after: str | None, limit: int) -> dict[str, Any]:
        params: dict[str, Any] = {"table": table, "limit": limit}
        if after:
            params["after"] = after
        return self._call("GET", "/snapshot", params=params)

    def acknowledge(self, pulled: int, list_version: str) -> dict[str, Any]:
        return self._call("POST", "/pulled", json={"pulled": pulled,
                                                   "list_version": list_version})
