"""The export dialog shows a run as Keras code that builds its optimizer, to copy or save."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextDocument
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QPushButton, QTabWidget, QWidget

from lrexplorer.core.config import RunConfig
from lrexplorer.core.export.snippets import FORMS, with_learning_rate_history
from lrexplorer.core.keras_api.loader import keras
from lrexplorer.core.keras_api.optimizers import build_optimizer
from lrexplorer.core.keras_api.validation import check_config
from lrexplorer.core.store.records import RunRecord
from lrexplorer.gui.dialogs.export_dialog import OK_NOTE, ExportDialog
from lrexplorer.gui.dialogs.highlighter import PythonHighlighter, is_dark

RMSPROP_1E4 = RunConfig(optimizer="rmsprop", learning_rate=1e-4)


@pytest.fixture(scope="module")
def model():
    k = keras()
    return k.Sequential([k.Input(shape=(4,)), k.layers.Dense(2, activation="softmax")])


def _dialog(qtbot, config=RMSPROP_1E4, label="RMSprop 1e-4", lr_changes=()):
    record = RunRecord(id="x", config=config, label=label, lr_changes=list(lr_changes))
    dialog = ExportDialog(record)
    qtbot.addWidget(dialog)
    dialog.resize(900, 650)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _editor(dialog, form):
    return dialog.findChild(QPlainTextEdit, f"snippet_{form}")


def _settings(optimizer):
    config = optimizer.get_config()
    config.pop("name")
    return config


def _built(code, model):
    namespace = {"model": model}
    exec(code, namespace)
    return namespace["optimizer"]


def test_shows_the_four_forms_as_read_only_monospace_code(qtbot):
    dialog = _dialog(qtbot)
    assert dialog.objectName() == "ExportDialog"
    assert dialog.windowTitle() == "Export RMSprop 1e-4"
    tabs = dialog.findChild(QTabWidget, "exportTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Name",
        "Dict",
        "Object",
        "Full script",
    ]
    for form in FORMS:
        editor = _editor(dialog, form)
        assert editor.isReadOnly()
        assert "model.compile(" in editor.toPlainText()
        assert editor.toPlainText() == dialog.code(form)
        assert editor.font().fixedPitch() or editor.fontInfo().fixedPitch()
        assert editor.fontInfo().pointSizeF() >= 12
        assert dialog.findChild(QLabel, f"explain_{form}").text()
    assert "keras.optimizers.get(" in dialog.code("dict")
    assert "model.fit(" in dialog.code("script")


def test_object_and_dict_forms_build_the_runs_optimizer(qtbot, model):
    dialog = _dialog(qtbot)
    expected = _settings(build_optimizer(check_config(RMSPROP_1E4)))
    assert _settings(_built(dialog.code("object"), model)) == expected
    assert _settings(_built(dialog.code("dict"), model)) == expected


def test_name_form_warning_is_in_plain_view(qtbot):
    dialog = _dialog(qtbot)
    warning = dialog.findChild(QWidget, "nameWarning")
    assert warning.isVisible()
    assert not dialog.findChild(QWidget, "nameOk").isVisible()
    text = dialog.findChild(QLabel, "nameWarningText").text()
    assert "0.001" in text and "0.0001" in text
    # Above the code, not beside it off-screen: its top edge is above the editor's.
    editor = _editor(dialog, "name")
    assert (
        warning.mapTo(dialog, warning.rect().bottomLeft()).y()
        < editor.mapTo(dialog, editor.rect().topLeft()).y()
    )


def test_all_default_config_says_the_name_form_is_exact(qtbot):
    dialog = _dialog(qtbot, RunConfig(optimizer="rmsprop"), "RMSprop default")
    assert dialog.findChild(QWidget, "nameOk").isVisible()
    assert dialog.findChild(QLabel, "nameOkText").text() == OK_NOTE
    assert not dialog.findChild(QWidget, "nameWarning").isVisible()


def test_import_style_changes_every_forms_import_line(qtbot):
    dialog = _dialog(qtbot)
    combo = dialog.findChild(QComboBox, "importStyleCombo")
    for form in FORMS:
        assert "import keras" in _editor(dialog, form).toPlainText().splitlines()
    with qtbot.waitSignal(dialog.import_style_changed) as blocker:
        combo.setCurrentIndex(combo.findText("from tensorflow import keras"))
    assert blocker.args == ["tf.keras"]
    for form in FORMS:
        lines = _editor(dialog, form).toPlainText().splitlines()
        assert "from tensorflow import keras" in lines
        assert "import keras" not in lines


def test_copy_puts_the_exact_code_on_the_clipboard(qtbot):
    dialog = _dialog(qtbot)
    dialog.show_form("object")
    button = dialog.findChild(QPushButton, "copy_object")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == _editor(dialog, "object").toPlainText()
    assert button.text().startswith("Copied")
    qtbot.waitUntil(lambda: button.text() == "Copy", timeout=30000)


def test_save_writes_the_code_as_utf8_python(qtbot, tmp_path, monkeypatch):
    dialog = _dialog(qtbot)
    asked = []

    def choose(suggested):
        asked.append(suggested)
        return str(tmp_path / "rmsprop_run")

    monkeypatch.setattr(dialog, "choose_save_path", choose)
    qtbot.mouseClick(dialog.findChild(QPushButton, "save_script"), Qt.MouseButton.LeftButton)
    saved = tmp_path / "rmsprop_run.py"
    assert saved.read_text(encoding="utf-8") == dialog.code("script")
    assert asked[0].endswith("RMSprop_1e-4_script.py")
    assert "Saved rmsprop_run.py" in dialog.findChild(QLabel, "status_script").text()
    compile(saved.read_text(encoding="utf-8"), str(saved), "exec")  # valid Python


def test_cancelled_save_writes_nothing(qtbot, tmp_path, monkeypatch):
    dialog = _dialog(qtbot)
    monkeypatch.setattr(dialog, "choose_save_path", lambda suggested: "")
    qtbot.mouseClick(dialog.findChild(QPushButton, "save_name"), Qt.MouseButton.LeftButton)
    assert list(tmp_path.iterdir()) == []
    assert dialog.findChild(QLabel, "status_name").text() == ""


def test_live_rate_changes_export_as_piecewise_constant_decay(qtbot, model):
    changes = [{"step": 50, "learning_rate": 1e-3, "previous": 1e-4}]
    dialog = _dialog(qtbot, lr_changes=changes)
    code = dialog.code("object")
    assert "PiecewiseConstantDecay" in code
    replayed = with_learning_rate_history(RMSPROP_1E4, [(50, 1e-3)])
    expected = _settings(build_optimizer(check_config(replayed)))
    assert _settings(_built(code, model)) == expected
    warning = dialog.findChild(QLabel, "nameWarningText").text()
    assert "learning-rate changes" in warning


def test_a_config_that_cannot_render_shows_the_reason(qtbot):
    dialog = _dialog(qtbot, RunConfig(optimizer="no_such_optimizer"), "odd run")
    error = dialog.findChild(QWidget, "exportError")
    assert error.isVisible()
    assert "no_such_optimizer" in dialog.findChild(QLabel, "exportErrorText").text()
    assert not dialog.findChild(QPushButton, "copy_name").isEnabled()
    assert not dialog.findChild(QPushButton, "save_script").isEnabled()


def test_escape_and_close_button_close_the_dialog(qtbot):
    dialog = _dialog(qtbot)
    _editor(dialog, "name").setFocus()
    qtbot.keyClick(_editor(dialog, "name"), Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    dialog = _dialog(qtbot)
    qtbot.mouseClick(dialog.findChild(QPushButton, "closeButton"), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


# --- highlighter ---------------------------------------------------------------------------


def _colours(document, line=0):
    """Foreground colour name at each position of one line ("" where plain)."""
    block = document.findBlockByNumber(line)
    colours = [""] * len(block.text())
    for fmt_range in block.layout().formats():
        colour = fmt_range.format.foreground().color().name()
        for position in range(fmt_range.start, fmt_range.start + fmt_range.length):
            colours[position] = colour
    return colours


def _highlighted(text, dark=False):
    document = QTextDocument()
    document.setPlainText(text)
    highlighter = PythonHighlighter(document, dark=dark)
    highlighter.rehighlight()
    return document, highlighter


def test_highlighter_tells_keywords_strings_numbers_and_comments_apart():
    text = 'if rate == 0.001: label = "if # not code"  # a comment'
    document, _ = _highlighted(text)
    colours = _colours(document)
    keyword = colours[text.index("if")]
    string = colours[text.index('"if')]
    number = colours[text.index("0.001")]
    comment = colours[text.index("# a comment")]
    assert len({keyword, string, number, comment, ""}) == 5
    # Inside a string, "if" and "#" are string text, not a keyword or a comment.
    assert colours[text.index("if # not")] == string
    assert colours[text.index("# not code")] == string
    assert colours[text.index("rate")] == ""


def test_highlighter_carries_triple_quoted_strings_across_lines():
    document, _ = _highlighted('"""Docs\nif inside\n"""\nif outside')
    string = _colours(document, 0)[0]
    assert _colours(document, 1)[0] == string
    assert _colours(document, 3)[0] not in ("", string)


def test_dark_theme_uses_light_colours_on_dark_backgrounds(qtbot):
    light_doc, _ = _highlighted("import keras")
    dark_doc, _ = _highlighted("import keras", dark=True)
    assert QColor(_colours(light_doc)[0]).lightness() < 128
    assert QColor(_colours(dark_doc)[0]).lightness() > 128

    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    assert is_dark(palette)
    dialog = _dialog(qtbot)
    dialog.setPalette(palette)
    keyword = _colours(_editor(dialog, "object").document())[0]
    assert QColor(keyword).lightness() > 128
