"""The batch check on a Dask cluster, for archives one machine cannot check in time.

    pip install '.[dask]'        # in a checkout of the repository

    from dask.distributed import Client
    from kassavirta.pipeline.dask import check_paths

    client = Client("tcp://scheduler:8786")          # or a LocalCluster
    results = check_paths(["/archive/2026"], settings="settings.json", client=client)

It runs the same per-invoice function as `kassavirta check --jobs N`
(`evaluate.evaluate_path`, or `evaluate_bytes` for a bag of bytes) over a Dask
bag, then shuffles the invoices that can collide by invoice number
(`Bag.groupby`), and applies the in-run duplicate rule inside each number's
group in the run's order: sorted path order, then position in the file. A
duplicate can only ever involve invoices with the same number, so each group
decides alone and the results equal the local run's exactly.

Paths must be readable by the workers under the same names (a shared
filesystem); otherwise read the files where they are and pass bytes
(`check_blobs`). dask is imported only here: the rest of kassavirta never
needs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kassavirta.findings import CheckResult
from kassavirta.pipeline.duplicates import RunDuplicates, RunKey
from kassavirta.pipeline.evaluate import evaluate_bytes, evaluate_path
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES
from kassavirta.pipeline.walk import iter_input_names

if TYPE_CHECKING:
    import dask.bag as db

    from kassavirta.config.policy import Policy
    from kassavirta.config.settings import Settings
    from kassavirta.model import Channel

Order = tuple[int, int]
"""(position of the file in the run, position of the invoice in the file)."""
Record = tuple[Order, CheckResult, RunKey | None]


def build_policy_for(
    *,
    today: date | None = None,
    settings: Settings | str | Path | None = None,
    assignments: Iterable[str | Path] = (),
    ledger: str | Path | None = None,
    schemas: Iterable[str | Path] = (),
    channel: Channel | str | None = None,
) -> Policy:
    """A run's policy from the same options `kassavirta check` takes (loaded once, on the client)."""
    from kassavirta.config.policy import RunOptions, build_policy
    from kassavirta.model import Channel as _Channel

    options = RunOptions(
        assignments=[Path(a) for a in assignments],
        ledger=Path(ledger) if ledger is not None else None,
        schemas=[Path(s) for s in schemas],
        channel=_Channel(channel) if channel is not None else None,
    )
    return build_policy(options, today=today, settings=settings)


def _evaluate_item(item: tuple[Any, ...], policy: Policy, max_bytes: int) -> list[Record]:
    """One bag item, `(n, path)` or `(n, label, bytes)`, into its invoices' records."""
    if len(item) == 2:
        n, path = item
        checked = evaluate_path(str(path), policy, max_bytes=max_bytes)
    else:
        n, label, data = item
        checked = evaluate_bytes(bytes(data), str(label), policy, max_bytes=max_bytes)
    return [((int(n), i), result, key) for i, (result, key) in enumerate(checked)]


def _number(record: Record) -> str:
    key = record[2]
    assert key is not None
    return key.number.strip()


def _resolve(group: tuple[str, list[Record]]) -> list[Record]:
    """The in-run duplicate rule over one invoice number's records, in run order."""
    _, records = group
    duplicates = RunDuplicates()
    ordered = sorted(records, key=lambda r: r[0])
    for _, result, key in ordered:
        duplicates.note(result, key)
    duplicates.close()
    return ordered


def checked_bag(items: db.Bag, policy: Policy, *, max_bytes: int = DEFAULT_MAX_BYTES) -> db.Bag:
    """A lazy bag of final `((file, invoice), CheckResult, RunKey)` records, in no order.

    `items` holds `(n, path)` or `(n, label, bytes)` tuples, `n` being the
    file's position in the run (duplicates are decided in that order).
    """
    import dask.bag as db

    # dask is not annotated: its calls are untyped for mypy.
    records = items.map(_evaluate_item, policy=policy, max_bytes=max_bytes).flatten()  # type: ignore[no-untyped-call]
    alone = records.filter(lambda r: r[2] is None)
    keyed = records.filter(lambda r: r[2] is not None)
    resolved = keyed.groupby(_number, shuffle="tasks").map(_resolve).flatten()
    final: db.Bag = db.concat([alone, resolved])  # type: ignore[no-untyped-call]
    return final


def _run(
    items: list[tuple[Any, ...]],
    policy: Policy,
    max_bytes: int,
    client: Any,
    npartitions: int | None,
) -> list[CheckResult]:
    import dask.bag as db

    if not items:
        return []
    parts = npartitions or max(1, min(len(items), 4 * _workers(client)))
    bag = db.from_sequence(items, npartitions=parts)  # type: ignore[no-untyped-call]
    final = checked_bag(bag, policy, max_bytes=max_bytes)
    records: list[Record] = (
        client.compute(final).result() if client is not None else final.compute()  # type: ignore[no-untyped-call]
    )
    return list(iter_results(records))


def _workers(client: Any) -> int:
    if client is None:
        import os

        return os.cpu_count() or 1
    return max(1, len(client.scheduler_info().get("workers", {})))


def check_paths(
    paths: Iterable[str | Path],
    *,
    policy: Policy | None = None,
    client: Any = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    npartitions: int | None = None,
    **options: Any,
) -> list[CheckResult]:
    """Every invoice under `paths` (files, folders recursively), checked on a Dask cluster.

    `options` are those of `build_policy_for` (today, settings, assignments,
    ledger, schemas, channel); or pass a ready `policy`. Without `client`,
    Dask's default scheduler runs it (a `distributed.Client` made current
    becomes the default). The results are in sorted path order, and equal to
    `kassavirta check`'s for the same files and options.
    """
    run_policy = policy if policy is not None else build_policy_for(**options)
    items: list[tuple[Any, ...]] = list(enumerate(iter_input_names(paths)))
    return _run(items, run_policy, max_bytes, client, npartitions)


def check_blobs(
    blobs: Iterable[tuple[str, bytes]],
    *,
    policy: Policy | None = None,
    client: Any = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    npartitions: int | None = None,
    **options: Any,
) -> list[CheckResult]:
    """Like `check_paths`, for `(label, bytes)` pairs read wherever the files live, in run order."""
    run_policy = policy if policy is not None else build_policy_for(**options)
    items: list[tuple[Any, ...]] = [(n, label, data) for n, (label, data) in enumerate(blobs)]
    return _run(items, run_policy, max_bytes, client, npartitions)


def iter_results(records: Iterable[Record]) -> Iterator[CheckResult]:
    """Results of already computed records, in run order."""
    for _, result, _ in sorted(records, key=lambda r: r[0]):
        yield result


__all__ = ["build_policy_for", "check_blobs", "check_paths", "checked_bag", "iter_results"]
