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


def test_teacher_answers_keep_prompts_and_replace_numbers_with_defaults():
    clean = synthetic.generate(200, seed=3)
    taught = synthetic.teacher_answers(clean, 0.6, seed=3)
    assert [s["messages"] for s in taught] == [s["messages"] for s in clean]
    changed = [(c, t) for c, t in zip(clean, taught) if c["answer"] != t["answer"]]
    assert 0.3 * len(clean) < len(changed) < 0.6 * len(clean)  # numeric calls are ~2/3; some already default
    for c, t in changed:
        (cc,), (tc,) = c["answer"], t["answer"]
        assert cc["name"] == tc["name"] and set(cc["arguments"]) == set(tc["arguments"])
        diff = {k for k in cc["arguments"] if cc["arguments"][k] != tc["arguments"][k]}
        assert diff and all(tc["arguments"][k] == synthetic.TEACHER_DEFAULTS[k] for k in diff)
    assert synthetic.teacher_answers(clean, 0.0) == [{**s, "id": f"teacher-{i:05d}"} for i, s in enumerate(clean)]
