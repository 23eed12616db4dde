"""normalise() skips the traditional → simplified converter only for text the converter would leave alone."""

import random

from search import analysis


def _converter_and_keys() -> tuple[object, frozenset[str], list[str]]:
    analyser = analysis._ANALYSER.get()
    tables: list[dict[str, str]] = []
    pending = [analyser.converter._dict_chain_data]
    while pending:
        item = pending.pop()
        if isinstance(item, tuple):
            tables.append(item[2])
        else:
            pending.extend(item)
    return analyser.converter, analyser.convertible, [key for table in tables for key in table]


def test_text_without_a_convertible_character_converts_to_itself() -> None:
    # given every dictionary key, inside mainland text and alone, and random runs of CJK characters
    converter, convertible, keys = _converter_and_keys()
    rng = random.Random(20260301)
    han = [chr(code) for code in range(0x4E00, 0x9FA6)]
    texts = [f"扫描电镜{key}测试" for key in keys] + keys
    texts += ["".join(rng.choice(han) for _ in range(rng.randint(1, 30))) for _ in range(20_000)]

    # then whenever the shortcut applies, the converter would not have changed the text
    skipped = [text for text in texts if convertible.isdisjoint(text)]
    assert skipped
    assert [text for text in skipped if converter.convert(text) != text] == []  # type: ignore[attr-defined]


def test_mainland_text_takes_the_shortcut_and_traditional_text_does_not() -> None:
    _, convertible, _ = _converter_and_keys()
    assert convertible.isdisjoint("重庆大学材料科学与工程学院 扫描电子显微镜 碳化硅功率模块封装工艺")
    assert not convertible.isdisjoint("掃描電子顯微鏡")
    assert analysis.normalise("掃描電子顯微鏡 積體電路") == "扫描电子显微镜 集成电路"
    assert analysis.normalise("一目瞭然的反覆測試") == "一目了然的反复测试"
