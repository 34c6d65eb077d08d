"""The Library tab: shipped models, the user's runs and opened checkpoints, with cards.

Selecting a model makes it the one the Generate tab samples from; the app starts with
the model chosen last, else a data set's default (see :mod:`musevae.gui.library.startup`),
and each set's default is listed in bold with a star. Checkpoints that fail
verification (a broken card, weights that are damaged or do not fit it) are listed under
"Cannot be used" with their problem instead of being hidden, fatal or offered as models.
Models of the same name are told apart by their origin, and every row shows where it
came from and its full path on hover.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from musevae.gui.shell.dialogs import CARD_FILTER, Dialogs
from musevae.gui.library.ops import (
    DEFAULT_MARK,
    ORIGINS,
    card_summary,
    default_mark,
    hover_text,
    is_user_run,
    labels,
    list_score,
)
from musevae.gui.library.session import LibrarySession
from musevae.gui.library.startup import StartupChoice
from musevae.gui.shell.settings import Settings
from musevae.train.defaults import reason

COLUMNS = ("Name", "Type", "Dataset", "Test LL")
SCORE_TIP = ("Test-set log-likelihood, nats per frame (higher is better): exact for RNNs, "
             "the importance-sampling bound for latent models. ★: a data set's default.")
ENTRY_ROLE = Qt.ItemDataRole.UserRole
EMPTY_TEXT = (
    "No models yet. Shipped models appear here once models/ holds them; "
    "train your own in the Train tab (a tiny one takes a minute), "
    "or open a checkpoint from disk."
)


class LibraryPanel(QWidget):
    def __init__(
        self,
        session: LibrarySession,
        settings: Settings,
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.settings, self.dialogs = session, settings, dialogs
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.headerItem().setToolTip(len(COLUMNS) - 1, SCORE_TIP)
        self.tree.setRootIsDecorated(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keeps a name's end and ★
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, header.ResizeMode.ResizeToContents)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        self.details = QFormLayout()
        self.buttons = {name: QPushButton(name) for name in
                        ("Refresh", "Open checkpoint…", "Rename…", "Delete…")}  # fmt: skip
        self._layout()
        self.tree.currentItemChanged.connect(self._on_item)
        session.changed.connect(self._rebuild)
        self.startup = StartupChoice(session, settings, self)  # after _rebuild: rows exist
        session.currentChanged.connect(self._show_current)
        session.scanningChanged.connect(lambda busy: self.buttons["Refresh"].setDisabled(busy))
        self.buttons["Refresh"].clicked.connect(session.refresh)
        self.buttons["Open checkpoint…"].clicked.connect(self.open_checkpoint)
        self.buttons["Rename…"].clicked.connect(self.rename_current)
        self.buttons["Delete…"].clicked.connect(self.delete_current)
        self._rebuild()

    def _layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.empty)
        column.addWidget(self.tree, 1)
        buttons = QGridLayout()
        for i, button in enumerate(self.buttons.values()):
            buttons.addWidget(button, i // 2, i % 2)
        column.addLayout(buttons)
        card = QWidget()
        card.setLayout(self.details)
        details = QScrollArea()  # rows keep their wrapped height; a short pane scrolls
        details.setWidget(card)
        details.setWidgetResizable(True)
        details.setFrameShape(QFrame.Shape.NoFrame)
        details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # wrap
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(left)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3000, 2000])  # the same shares from the start (weights, not px)
        QVBoxLayout(self).addWidget(splitter)

    # --- the list -------------------------------------------------------------------------
    def _rebuild(self) -> None:
        s = self.session
        self.tree.blockSignals(True)
        self.tree.clear()
        problems = s.all_problems()
        groups = [
            ("Shipped", [e for e in s.entries if e.origin == "shipped"]),
            ("Yours", [e for e in s.entries if e.origin == "yours"]),
            ("Opened", s.opened),
        ]
        everything = [(e.name, e.origin) for _, entries in groups for e in entries]
        names = iter(labels(everything + [(p.name, p.origin) for p in problems]))  # row order
        for title, entries in groups:
            if entries:
                group = self._group(title)
                for entry in entries:
                    group.addChild(self._entry_item(entry, next(names)))
        if problems:
            group = self._group("Cannot be used")
            for problem in problems:
                item = QTreeWidgetItem([next(names), problem.reason, "", ""])
                self._hover(item, hover_text(problem.origin, problem.path, problem.reason))
                item.setForeground(1, QBrush(QColor("#b00020")))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.addChild(item)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        self.empty.setVisible(s.scanned and not s.all_entries())
        self._show_current(s.current)

    def _group(self, title: str) -> QTreeWidgetItem:
        group = QTreeWidgetItem(self.tree, [title])
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        return group

    def _entry_item(self, entry: Any, label: str) -> QTreeWidgetItem:
        summary = card_summary(entry.card)
        default_of = self.session.default_of(entry)
        mark = f"  {DEFAULT_MARK}" if default_of else ""
        item = QTreeWidgetItem([label + mark, summary["type"], summary["dataset"],
                                list_score(entry.card)])  # fmt: skip
        item.setData(0, ENTRY_ROLE, entry)
        why = f"{default_mark(default_of)}: {reason(entry)}" if default_of else ""
        self._hover(item, hover_text(entry.origin, entry.card_path, why, entry.notice))
        if default_of:
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
        return item

    def _hover(self, item: QTreeWidgetItem, text: str) -> None:
        for column in range(len(COLUMNS)):
            item.setToolTip(column, text)

    def _items(self) -> list[QTreeWidgetItem]:
        found = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            found += [group.child(i) for i in range(group.childCount())]
        return found

    def _on_item(self, item: QTreeWidgetItem | None) -> None:
        entry = item.data(0, ENTRY_ROLE) if item is not None else None
        if entry is not None:
            self.session.select(entry)

    def _show_current(self, entry: Any) -> None:
        while self.details.rowCount():
            self.details.removeRow(0)
        changeable = entry is not None and is_user_run(entry.card_path, self.session.user_dir)
        self.buttons["Rename…"].setEnabled(changeable)
        self.buttons["Delete…"].setEnabled(changeable)
        if entry is None:
            return
        self.details.addRow(QLabel(f"<b>{entry.name}</b>"))
        for key, value in card_summary(entry.card).items():
            label = QLabel(value)
            label.setWordWrap(True)
            self.details.addRow(f"{key}:", label)
        self.details.addRow("origin:", QLabel(ORIGINS[entry.origin]))
        default_of = self.session.default_of(entry)
        if default_of:
            why = QLabel(f"{default_of}: {reason(entry)}")
            why.setWordWrap(True)
            self.details.addRow("default for:", why)
        path, where = QLabel(), str(entry.card_path)
        path.setText(path.fontMetrics().elidedText(where, Qt.TextElideMode.ElideMiddle, 260))
        path.setToolTip(where)
        self.details.addRow("card:", path)
        if entry.notice:
            notice = QLabel(entry.notice)
            notice.setWordWrap(True)
            self.details.addRow("note:", notice)
        for item in self._items():
            if item.data(0, ENTRY_ROLE) is entry and self.tree.currentItem() is not item:
                self.tree.blockSignals(True)
                self.tree.setCurrentItem(item)
                self.tree.blockSignals(False)

    # --- actions --------------------------------------------------------------------------
    def open_checkpoint(self) -> None:
        path = self.dialogs.open_file_in(self.settings, "folders/models", "Open a model checkpoint",
                                         CARD_FILTER)  # fmt: skip
        if path is not None:
            self.session.open_checkpoint(path)

    def rename_current(self) -> None:
        entry = self.session.current
        if entry is None:
            return
        name = self.dialogs.text("Rename model", "New name:", entry.name)
        if name and name != entry.name:
            self.session.rename(entry, name)

    def delete_current(self) -> None:
        entry = self.session.current
        if entry is None:
            return
        question = (
            f"Delete {entry.name} and its files ({entry.card_path.parent})? "
            "This cannot be undone."
        )
        if self.dialogs.confirm("Delete model", question):
            self.session.delete(entry)
