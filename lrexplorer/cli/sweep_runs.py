"""How `lrexplorer sweep` trains its runs, and what it adds to the table: runs that can share
one compiled step (same data, batches, seed and execution settings: a sweep's rates and
optimizers at one seed) train together, at most MAX_TOGETHER at a time, which measured faster
than one after another (README, Performance) and reports the same per-batch losses; each seed's
runs come after the previous seed's. Then each setting's mean and spread over its seeds, and the
budget table when the runs trained more than one epoch."""

from __future__ import annotations

import sys
import textwrap
import time
from typing import Any

from lrexplorer.cli.progress import ProgressPrinter
from lrexplorer.core.config import RunConfig
from lrexplorer.core.store.records import RunRecord, new_run_id

_WIDTH = 100


def together_chunks(configs: list[RunConfig]) -> list[list[int]]:
    """Indices of the configs trained together, chunk by chunk, in the order of each chunk's
    first run (Trainer.run_many's grouping: same together_key, at most MAX_TOGETHER)."""
    from lrexplorer.core.training.trained_together import together_key
    from lrexplorer.core.training.trainer import MAX_TOGETHER

    groups: dict[Any, list[int]] = {}
    for index, config in enumerate(configs):
        groups.setdefault(together_key(config), []).append(index)
    return [
        indices[i : i + MAX_TOGETHER]
        for indices in groups.values()
        for i in range(0, len(indices), MAX_TOGETHER)
    ]


def train_sweep(
    trainer: Any, configs: list[RunConfig], labels: list[str], control: Any, quiet: bool
) -> tuple[list[RunRecord], bool]:
    """Train the sweep chunk by chunk; its records in the sweep's order (the runs that started)
    and whether a second Ctrl+C abandoned the chunk in progress."""
    total = len(configs)
    records: dict[int, RunRecord] = {}
    began = time.perf_counter()
    together = 0
    for chunk in together_chunks(configs):
        if control.stopping:
            break
        printers = {i: ProgressPrinter(quiet=quiet, prefix=f"[{i + 1}/{total}] ") for i in chunk}
        for i in chunk[1:]:
            printers[i].live = False  # one live line per chunk: the first run's
        _announce(chunk, configs, labels, quiet)
        ids = {new_run_id(): i for i in chunk}

        def on_event(run_id: str, event: Any, printers: dict = printers, ids: dict = ids) -> None:
            printers[ids[run_id]](event)

        try:
            done = trainer.run_many([configs[i] for i in chunk], on_event, control, list(ids))
        except KeyboardInterrupt:  # a second Ctrl+C: abandon this chunk, keep the finished ones
            return [records[i] for i in sorted(records)], True
        finally:
            for printer in printers.values():
                printer.close()
        together += len(chunk) if len(chunk) > 1 else 0
        for i, record in zip(chunk, done, strict=True):
            record.label = labels[i]
            records[i] = record
    if together and not quiet:
        print(f"sweep trained in {time.perf_counter() - began:.1f}s; runs trained together "
              "report their group's time", file=sys.stderr)  # fmt: skip
    return [records[i] for i in sorted(records)], False


def _announce(chunk: list[int], configs: list[RunConfig], labels: list[str], quiet: bool) -> None:
    first = chunk[0]
    if len(chunk) > 1:
        names = ", ".join(labels[i] for i in chunk)
        span = f"[{first + 1}-{chunk[-1] + 1}/{len(configs)}]" if chunk == list(
            range(first, chunk[-1] + 1)
        ) else f"[{', '.join(str(i + 1) for i in chunk)}/{len(configs)}]"  # fmt: skip
        print(f"{span} trained together: {names}", file=sys.stderr, flush=True)
    elif quiet or labels[first] != configs[first].label(labels[first].split(" ", 1)[0]):
        # The progress lines name the run without its settings (momentum=0.9, seed, ...).
        print(f"[{first + 1}/{len(configs)}] {labels[first]}", file=sys.stderr, flush=True)


def lesson_text(records: list[RunRecord]) -> str:
    """What the table of runs leaves out: with seeds, each setting's mean +- std (min-max) and
    whether settings differ by more than their seeds; after several epochs, the budget table
    and whether a smaller rate catches up. "" when neither applies."""
    from lrexplorer.core.explore.budget import BudgetTable, shows_budget
    from lrexplorer.core.explore.seed_groups import (
        group_records,
        groups_text,
        is_seeded,
        seed_noise_sentences,
    )

    parts = []
    groups = group_records(records)
    if is_seeded(groups):
        parts.append("over the seeds of each setting (mean +- std (lowest-highest)):")
        parts.append(groups_text(groups))
        parts += [_wrap(s) for s in seed_noise_sentences(groups)]
    if shows_budget(records):
        table = BudgetTable.from_records(records)
        parts.append(table.to_text())
        parts += [_wrap(s) for s in table.sentences()]
    return "\n".join(parts)


def lesson_json(records: list[RunRecord]) -> dict[str, Any]:
    """The groups (and the budget table, after several epochs) for --json."""
    from lrexplorer.core.explore.budget import BudgetTable, shows_budget
    from lrexplorer.core.explore.seed_groups import group_records, seed_noise_sentences

    groups = group_records(records)
    data: dict[str, Any] = {
        "groups": [g.to_dict() for g in groups],
        "seed_noise": seed_noise_sentences(groups),
    }
    if shows_budget(records):
        data["budget"] = BudgetTable.from_records(records).to_dict()
    return data


def _wrap(sentence: str) -> str:
    return textwrap.fill(sentence, _WIDTH, subsequent_indent="  ")
