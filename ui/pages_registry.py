"""The dashboard's pages: each one's file under pages/, title, sidebar icon and section, in sidebar order.

The titles are the vocabulary's (data/vocab.py), since charts name the page they are drawn on; where each page
lives and how the sidebar shows it is the UI's alone (ui/navigation.py draws it).
"""

from __future__ import annotations

from dataclasses import dataclass

from data import vocab


@dataclass(frozen=True)
class PageInfo:
    file: str  # under pages/
    title: str
    icon: str
    section: str

    @property
    def url_path(self) -> str:
        return self.file.removesuffix(".py")


OVERVIEW = PageInfo("overview.py", vocab.OVERVIEW.title, ":material/dashboard:", "Financial position")
BUDGET_OUTTURN = PageInfo("budget_outturn.py", vocab.BUDGET_OUTTURN.title, ":material/payments:", "Financial position")
RESERVES = PageInfo("reserves.py", vocab.RESERVES.title, ":material/savings:", "Financial position")
DSG = PageInfo("dsg.py", vocab.DSG.title, ":material/school:", "Financial position")
ACTION_PLAN = PageInfo("action_plan.py", vocab.ACTION_PLAN.title, ":material/checklist:", "Action plan")
DIRECTORATES = PageInfo("directorates.py", vocab.DIRECTORATES.title, ":material/account_tree:", "Monitoring")
DATA_SOURCES = PageInfo("data_sources.py", vocab.DATA_SOURCES.title, ":material/source:", "About the data")
BRIEFING = PageInfo("briefing.py", vocab.BRIEFING.title, ":material/slideshow:", "Export")
BENCHMARKING = PageInfo("benchmarking.py", vocab.BENCHMARKING.title, ":material/compare_arrows:", "Financial position")
ACCESSIBILITY = PageInfo(
    "accessibility.py", vocab.ACCESSIBILITY.title, ":material/accessibility_new:", "About this dashboard"
)
PAGES: tuple[PageInfo, ...] = (
    OVERVIEW,
    BUDGET_OUTTURN,
    RESERVES,
    DSG,
    BENCHMARKING,
    ACTION_PLAN,
    DIRECTORATES,
    DATA_SOURCES,
    BRIEFING,
    ACCESSIBILITY,
)
