"""The console's navigation menu: the built-in areas, then what plugins add through the
``kaoping_admin_menu`` hook (called only for plugins the locality has enabled), each entry shown
only to the roles it names."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Role

ALL_ROLES = frozenset(r.value for r in Role)
OFFICE = frozenset({Role.platform_admin.value, Role.office.value})
READERS = frozenset({Role.platform_admin.value, Role.office.value, Role.unit_admin.value})
PLATFORM = frozenset({Role.platform_admin.value})
GROUP = frozenset({Role.assessment_group.value})  # 考核小组: its assigned campaigns only
UNIT_ADMIN = frozenset({Role.unit_admin.value})  # 单位系统管理员: the campaigns assessing its unit


@dataclass(frozen=True)
class MenuEntry:
    """One entry of the console's menu.

    ``key``: unique among the entries (a plugin prefixes its name: ``"worklog.records"``);
    ``label_zh`` / ``label_en``: the entry as shown in each language; ``href``: a local path (a
    plugin builds it with the locality code it was given); ``roles``: the roles that see it (and
    may open its pages: a page must answer 404 to the others itself); ``order``: position, small
    first (the built-in areas use 10 to 90)."""

    key: str
    label_zh: str
    label_en: str
    href: str
    roles: frozenset[str] = field(default=ALL_ROLES)
    order: int = 100

    def label(self, locale: str) -> str:
        return self.label_zh if locale == "zh_CN" else self.label_en


def builtin_entries(code: str | None) -> list[MenuEntry]:
    entries = [
        MenuEntry("overview", "概览", "Overview", "/admin/", ALL_ROLES, 10),
        MenuEntry("assessment", "考核任务", "Assigned campaigns", "/admin/assessment", GROUP, 15),
    ]
    if code:
        base = f"/admin/localities/{code}"
        entries += [
            MenuEntry("units", "单位", "Units", f"{base}/units", READERS, 20),
            MenuEntry("people", "人员", "People", f"{base}/people", READERS, 30),
            MenuEntry("teams", "领导班子", "Leadership teams", f"{base}/teams", READERS, 32),
            MenuEntry("people-accounts", "人员账号", "People's accounts", f"{base}/people-accounts", OFFICE, 32),
            MenuEntry("subjects", "考核对象", "Subjects", f"{base}/subjects", OFFICE, 35),
            MenuEntry("import", "导入", "Import", f"{base}/import", READERS, 40),
            MenuEntry("templates", "指标模板", "Indicator templates", f"{base}/templates", OFFICE, 45),
            MenuEntry("values", "指标数据", "Indicator values", f"{base}/values", OFFICE, 47),
            MenuEntry("campaigns", "测评活动", "Campaigns", f"{base}/campaigns", OFFICE, 50),
            MenuEntry("unit-campaigns", "测评活动", "Campaigns", f"{base}/unit-campaigns", UNIT_ADMIN, 50),
            MenuEntry("plugins", "插件", "Plugins", f"{base}/plugins", OFFICE, 60),
            MenuEntry("adapters", "数据源", "Data sources", f"{base}/sources", READERS, 70),
            MenuEntry("audit", "审计日志", "Audit log", f"{base}/audit", OFFICE, 80),
        ]
    entries.append(MenuEntry("sign-ins", "登录日志", "Sign-in log", "/admin/sign-ins", OFFICE, 85))
    entries.append(MenuEntry("users", "用户", "Users", "/admin/users", PLATFORM, 90))
    return entries


def build_menu(role: str, code: str | None, plugin_entries: list[list[MenuEntry] | None]) -> list[MenuEntry]:
    """The entries ``role`` sees, in order. ``plugin_entries``: the hook's answers."""
    entries = builtin_entries(code)
    seen = {entry.key for entry in entries}
    for answer in plugin_entries:
        for entry in answer or []:
            if isinstance(entry, MenuEntry) and entry.key not in seen and entry.href.startswith("/"):
                entries.append(entry)
                seen.add(entry.key)
    return sorted((e for e in entries if role in e.roles), key=lambda e: (e.order, e.key))
