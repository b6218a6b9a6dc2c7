"""`lrexplorer sweep --seeds N`: every setting repeated with N seeds (a seed's runs trained
together), then each setting's mean and spread, whether the settings differ by more than their
seeds, and with several epochs the budget table; --plot draws the summary or the budget view."""

import json

import pytest

from lrexplorer.cli import entry as cli
from tests.cli.test_sweep import SMALL, runs  # noqa: F401 (a fixture)

PNG = b"\x89PNG\r\n\x1a\n"


def test_seeds_repeat_every_rate_and_the_summary_gives_mean_and_spread(runs, capsys, tmp_path):  # noqa: F811
    out, picture = tmp_path / "sweep.json", tmp_path / "summary.png"
    code = cli.main(["sweep", "--lr", "1e-2", "1e-3", "--seeds", "2", *SMALL, "--json", str(out),
                     "--plot", str(picture)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # Seed by seed from --seed 2, each seed's rates trained together.
    assert [(c.learning_rate, c.seed) for c in runs] == [(1e-2, 2), (1e-3, 2), (1e-2, 3), (1e-3, 3)]
    assert "[1-2/4] trained together: RMSprop 0.01 seed 2, RMSprop 1e-3 seed 2" in captured.err
    assert "[3-4/4] trained together: RMSprop 0.01 seed 3, RMSprop 1e-3 seed 3" in captured.err
    lines = captured.out.splitlines()
    assert [line[2:].split()[:3] for line in lines[1:5]] == [
        ["RMSprop", "0.01", "seed"], ["RMSprop", "1e-3", "seed"],
        ["RMSprop", "0.01", "seed"], ["RMSprop", "1e-3", "seed"],
    ]  # fmt: skip
    start = lines.index("over the seeds of each setting (mean +- std (lowest-highest)):")
    assert lines[start + 1].split() == ["setting", "finished", "val_accuracy", "loss", "time"]
    data = json.loads(out.read_text())
    groups = {g["label"]: g for g in data["groups"]}
    for label, row in zip(("RMSprop 0.01", "RMSprop 1e-3"), lines[start + 2 : start + 4],
                          strict=True):  # fmt: skip
        spread = groups[label]["val_accuracy"]
        assert groups[label]["seeds"] == [2, 3] and spread["n"] == 2
        # mean +- std (lowest-highest), as printed
        assert f"{100 * spread['mean']:.2f}% +- {100 * spread['std']:.2f} " in row
        assert f"({100 * spread['min']:.2f}-{100 * spread['max']:.2f})" in row
    sentence = " ".join(lines[start + 4 :])
    assert "seed noise after one epoch: over 2 seeds each" in sentence
    assert data["seed_noise"] == [sentence.replace("\n", " ").replace("   ", " ")]
    assert picture.read_bytes()[:8] == PNG and picture.stat().st_size > 20_000
    assert f"the summary plot written to {picture}" in captured.err


def test_several_epochs_print_the_budget_table_and_plot_it_as_svg(capsys, tmp_path):
    picture = tmp_path / "budget.svg"
    code = cli.main(["sweep", "--lr", "1e-2", "1e-3", "--epochs", "2", *SMALL,
                     "--plot", str(picture), "--quiet"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.out.splitlines()
    start = lines.index("validation accuracy at the end of each epoch:")
    assert lines[start + 1].split() == ["epoch", "1", "2"]
    assert [line.split()[:2] for line in lines[start + 2 : start + 4]] == [
        ["RMSprop", "0.01"], ["RMSprop", "1e-3"],
    ]  # fmt: skip
    assert "1e-3" in lines[start + 4] and "0.01" in lines[start + 4]  # who catches up, and when
    text = picture.read_text()
    assert text.startswith("<?xml") and "<svg" in text and len(text) > 20_000
    assert "validation accuracy (%), rate x epoch" in text  # the heat map's title, as text
    assert lines[start + 4][:40] in text  # and under the plots, what the table says in words
    assert f"the budget view written to {picture}" in captured.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--seeds", "0"], "--seeds: 0 must be from 1 to 10"),
        (["--seeds", "two"], "--seeds: 'two' is not a whole number"),
        (
            ["--lr-range", "1e-5", "1e-1", "6", "--seeds", "10"],
            "is 60 runs: a sweep has at most 50",
        ),
        (["--plot", "out.pdf"], "--plot out.pdf: .pdf is not an image type: use .png or .svg"),
        (["--plot", "nosuffix"], "no suffix is not an image type"),
    ],
)
def test_bad_seeds_or_plot_files_are_refused_before_anything_trains(runs, capsys, args, says):  # noqa: F811
    try:
        code = cli.main(["sweep", *SMALL, *args])
    except SystemExit as exit_info:
        code = exit_info.code
    err = capsys.readouterr().err
    assert code == 2 and says in err and err.count("\n") == 1
    assert runs == []
