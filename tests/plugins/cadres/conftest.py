"""Helpers shared by the cadre cloud's tests: a complete 任免审批表 (.lrmx) form built from
``FIELDS`` and ``FAMILY`` (``form``), and a zip of files (``zipped``). Imported by the .lrmx
reader's tests, the import's and the pages'; and the ``site`` fixture: the test locality over a live
server, with a console session and an API client per role."""

from __future__ import annotations

import base64
import io
import zipfile

import httpx
import pytest

from plugins.cadres import lrmx
from plugins.cadres.dates import id_check_character
from tests.helpers import browser_session, never_5xx
from tests.plugins.cadres.setup import make_world, token

PHOTO = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4
PREFIX = "52052119760315001"
ID_NUMBER = PREFIX + id_check_character(PREFIX)
RESUME = """1994.09--1998.07  贵州大学经济学院经济学专业学习
1998.07--2001.12  大方县羊场镇党委副书记
2001.12--2005.03  大方县羊场镇人民政府镇长
          （其间：2003.09--2006.07在中央党校函授学院经济管理专业学习）
2005.03--2008.12  中国人民解放军78091部队副政治委员
2008.12--2015.03  大方县发展和改革局局长、党组书记
2015.03--         大方县人民政府副县长"""

FIELDS = {
    "XingMing": "张三",
    "XingBie": "男",
    "ChuShengNianYue": "197603",
    "MinZu": "彝族",
    "JiGuan": "贵州大方",
    "ChuShengDi": "贵州大方",
    "RuDangShiJian": "1998.06",
    "CanJiaGongZuoShiJian": "1998.07",
    "JianKangZhuangKuang": "健康",
    "ZhuanYeJiShuZhiWu": "经济师",
    "ShuXiZhuanYeYouHeZhuanChang": "经济管理、乡村振兴",
    "QuanRiZhiJiaoYu_XueLi": "大学本科",
    "QuanRiZhiJiaoYu_XueWei": "经济学学士",
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "贵州大学经济学专业",
    "ZaiZhiJiaoYu_XueLi": "中央党校研究生",
    "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "中央党校经济管理专业",
    "XianRenZhiWu": "大方县人民政府副县长",
    "NiRenZhiWu": "大方县人民政府常务副县长",
    "NiMianZhiWu": "",
    "JianLi": RESUME,
    "JiangChengQingKuang": "2019年度被评为全省脱贫攻坚先进个人",
    "NianDuKaoHeJieGuo": "2021、2022年度考核均为称职，2023年度考核为优秀",
    "RenMianLiYou": "工作需要",
    "ChengBaoDanWei": "中共大方县委",
    "JiSuanNianLingShiJian": "202611",
    "TianBiaoShiJian": "20261120",
    "TianBiaoRen": "李四",
    "ShenFenZheng": ID_NUMBER,
    "ZhaoPian": base64.b64encode(PHOTO).decode(),
    "Version": "3.2.1.16",
}
FAMILY = [
    ("妻子", "王芳", "197805", "中共党员", "大方县第一中学教师"),
    ("", "", "", "", ""),  # the forms carry empty rows
    ("父亲", "张大山", "1950.01", "群众", "已退休"),
]


def form(fields=None, family=None, encoding="UTF-8", extra="") -> bytes:
    fields = FIELDS if fields is None else fields
    family = FAMILY if family is None else family
    body = "".join(f"<{tag}>{value}</{tag}>" for tag, value in fields.items() if tag in lrmx.TEXT_FIELDS)
    items = "".join(
        "<Item>" + "".join(f"<{t}>{v}</{t}>" for t, v in zip(lrmx.FAMILY_FIELDS, row, strict=True)) + "</Item>"
        for row in family
    )
    tail = "".join(f"<{tag}>{value}</{tag}>" for tag, value in fields.items() if tag in lrmx.TAIL_FIELDS)
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f"<Person>{body}<JiaTingChengYuan>{items}</JiaTingChengYuan>{tail}{extra}</Person>"
    )
    return text.encode("gb18030" if encoding.upper() in ("GB2312", "GBK") else "utf-8")


def zipped(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)

    def session(name: str) -> httpx.Client:
        return browser_session(ctx, live_server.url, world.actors[name].user_id)

    def api(name: str) -> httpx.Client:
        return httpx.Client(
            base_url=live_server.url,
            timeout=30,
            headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}"},
            event_hooks={"response": [never_5xx]},
        )

    return world, session, api
