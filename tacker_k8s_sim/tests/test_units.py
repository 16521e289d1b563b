"""Pure helpers: naming, selectors, patches (no server)."""

import pytest

from tacker_k8s_sim import errors
from tacker_k8s_sim import names
from tacker_k8s_sim import patching
from tacker_k8s_sim import selectors


def test_generated_names_cut_the_base_at_58():
    gen = names.NameGenerator(seed=7)
    short = gen.generate("web-abc-")
    assert short.startswith("web-abc-") and len(short) == 13
    long_base = "x" * 70 + "-"
    cut = gen.generate(long_base)
    assert len(cut) == 63 and cut[:58] == "x" * 58
    assert set(cut[58:]) <= set(names.SAFE_ALPHABET)


def test_template_hash_is_stable_and_safe():
    template = {"metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "c", "image": "i"}]}}
    first = names.template_hash(template)
    assert first == names.template_hash(
        {"spec": template["spec"], "metadata": template["metadata"]})
    assert set(first) <= set(names.SAFE_ALPHABET)
    assert 1 <= len(first) <= 10
    assert names.template_hash(template, 1) != first
    other = {"metadata": {"labels": {"a": "c"}}, "spec": template["spec"]}
    assert names.template_hash(other) != first


@pytest.mark.parametrize("text, labels, expected", [
    ("a=b", {"a": "b"}, True),
    ("a=b", {"a": "c"}, False),
    ("a!=b", {}, True),
    ("a in (x, y)", {"a": "y"}, True),
    ("a notin (x,y)", {"a": "y"}, False),
    ("a,!b", {"a": "1"}, True),
    ("a,!b", {"a": "1", "b": "2"}, False),
    ("n>3", {"n": "4"}, True),
    ("n<3", {"n": "4"}, False),
])
def test_label_selector_grammar(text, labels, expected):
    assert selectors.parse_label_selector(text)(labels) is expected


def test_bad_selectors_are_bad_requests():
    with pytest.raises(errors.BadRequest):
        selectors.parse_label_selector("a in x")
    with pytest.raises(errors.BadRequest):
        selectors.parse_field_selector("metadata.uid=1")


def test_selector_objects_render_as_strings():
    sel = {"matchLabels": {"b": "2", "a": "1"},
           "matchExpressions": [{"key": "c", "operator": "In",
                                 "values": ["x", "y"]},
                                {"key": "d", "operator": "DoesNotExist"}]}
    assert selectors.selector_to_string(sel) == "a=1,b=2,c in (x,y),!d"


def test_merge_and_strategic_patches():
    target = {"spec": {"replicas": 1, "template": {"spec": {"containers": [
        {"name": "a", "image": "1"}, {"name": "b", "image": "1"}]}}},
        "metadata": {"labels": {"x": "1", "y": "2"}}}
    merged = patching.merge_patch(target, {"metadata": {"labels": {
        "x": None}}, "spec": {"replicas": 4}})
    assert merged["metadata"]["labels"] == {"y": "2"}
    assert merged["spec"]["replicas"] == 4
    assert target["metadata"]["labels"] == {"x": "1", "y": "2"}
    strategic = patching.strategic_merge(target, {"spec": {"template": {
        "spec": {"containers": [{"name": "b", "image": "2"},
                                {"name": "c", "image": "3"}]}}}})
    containers = strategic["spec"]["template"]["spec"]["containers"]
    assert containers == [{"name": "a", "image": "1"},
                          {"name": "b", "image": "2"},
                          {"name": "c", "image": "3"}]
    removed = patching.strategic_merge(target, {"spec": {"template": {
        "spec": {"containers": [{"name": "a", "$patch": "delete"}]}}}})
    assert [c["name"] for c in removed["spec"]["template"]["spec"][
        "containers"]] == ["b"]


def test_json_patch_operations():
    doc = {"a": {"b": [1, 2]}, "c": 1}
    out = patching.json_patch(doc, [
        {"op": "add", "path": "/a/b/-", "value": 3},
        {"op": "replace", "path": "/c", "value": 2},
        {"op": "copy", "from": "/c", "path": "/d"},
        {"op": "move", "from": "/d", "path": "/e"},
        {"op": "remove", "path": "/a/b/0"},
        {"op": "test", "path": "/e", "value": 2},
    ])
    assert out == {"a": {"b": [2, 3]}, "c": 2, "e": 2}
    assert doc == {"a": {"b": [1, 2]}, "c": 1}
    with pytest.raises(errors.Invalid):
        patching.json_patch(doc, [{"op": "test", "path": "/c", "value": 9}])
