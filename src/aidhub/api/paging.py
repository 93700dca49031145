"""Pagination of the API's lists: ``?limit=`` (default 100, at most 1,000) and
``?offset=``. The body stays a JSON array; the total is in ``X-Total-Count`` and the next
and previous pages in an RFC 8288 ``Link`` header, so a client follows ``rel="next"``
until there is none."""

from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

DEFAULT, MOST = 100, 1000


class Paging:
    def __init__(self, request: Request, response: Response, limit: int, offset: int):
        self.request, self.response = request, response
        self.limit, self.offset = limit, offset

    def __call__(self, items: list[Any]) -> list[Any]:
        """This page of ``items``, with the headers that say where the others are."""
        return self.window(items[self.offset:self.offset + self.limit], len(items))

    def window(self, shown: list[Any], total: int) -> list[Any]:
        """``shown``, this page read by the caller itself (``limit`` items from
        ``offset`` of ``total``), with the headers that say where the others are."""
        self.response.headers["X-Total-Count"] = str(total)
        links = []
        if self.offset + self.limit < total:
            links.append(f'<{self._url(self.offset + self.limit)}>; rel="next"')
        if self.offset > 0:
            links.append(f'<{self._url(max(0, self.offset - self.limit))}>; rel="prev"')
        if links:
            self.response.headers["Link"] = ", ".join(links)
        return shown

    def _url(self, offset: int) -> str:
        return str(self.request.url.include_query_params(limit=self.limit, offset=offset))


async def paging(request: Request, response: Response,
                 limit: int = Query(DEFAULT, ge=1, le=MOST,
                                    description="Most items to return."),
                 offset: int = Query(0, ge=0, description="Items to skip.")) -> Paging:
    """The page asked for (a coroutine: no thread is needed to read two numbers)."""
    return Paging(request, response, limit, offset)


Page = Annotated[Paging, Depends(paging)]
