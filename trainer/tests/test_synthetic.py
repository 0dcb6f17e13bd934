import json

from tooln1 import reward, synthetic
from tooln1.__main__ import main


def test_deterministic_canonical_samples():
    a, b = synthetic.generate(50, seed=3), synthetic.generate(50, seed=3)
    assert a == b and a != synthetic.generate(50, seed=4)
    names = {t["function"]["name"] for t in synthetic.TOOLS}
    for s in a:
        assert set(s) == {"id", "tools", "messages", "answer"}
        assert s["messages"][0]["role"] == "user"
        assert all(c["name"] in names for c in s["answer"])
    assert {c["name"] for s in a for c in s["answer"]} == names


def test_perfect_completion_scores_one_with_every_variant():
    for s in synthetic.generate(30, seed=5):
        text = synthetic.perfect_completion(s["answer"])
        for variant in ("binary", "fine-grained", "no-format", "official"):
            assert reward.score(text, s["answer"], variant=variant)["reward"] == 1, (variant, text)


def test_cli_writes_jsonl(tmp_path):
    out = tmp_path / "d.jsonl"
    assert main(["synth-data", "--out", str(out), "--n", "7", "--seed", "1"]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 7 and lines == synthetic.generate(7, seed=1)
