"""Argument evaluation: grounded labelling, explanations, DF-QuAD strengths and whole-map evaluation.

Everything here runs on plain graphs; no database is touched.
"""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arguments.evaluation.semantics import (
    Explanation,
    Label,
    MapEvaluation,
    Reason,
    Strengths,
    attackers_by_target,
    base_score,
    describe,
    dfquad_strengths,
    evaluate_map,
    explain,
    grounded_labelling,
)

IN, OUT, UNDEC = Label.IN, Label.OUT, Label.UNDECIDED


def labels_of(arguments, attacks):
    """Labels as a plain {node: "in" | "out" | "undecided"} dict, for short assertions."""
    return {node: str(label) for node, label in grounded_labelling(arguments, attacks).items()}


# --------------------------------------------------------------------------------------------------
# Grounded labelling: textbook frameworks


def test_label_values_are_plain_strings():
    assert [label.value for label in Label] == ["in", "out", "undecided"]
    assert Label.IN == "in"


def test_unattacked_argument_is_in():
    assert labels_of(["a"], []) == {"a": "in"}


def test_empty_framework_has_no_labels():
    assert grounded_labelling([], []) == {}


def test_chain_alternates_from_the_unattacked_end():
    # a <- b <- c: c is unattacked, so b is out, which reinstates a.
    assert labels_of("abc", [("b", "a"), ("c", "b")]) == {"a": "in", "b": "out", "c": "in"}


def test_long_chain_alternates():
    n = 1001
    attacks = [(k + 1, k) for k in range(n - 1)]
    labels = grounded_labelling(range(n), attacks)
    # The last argument is unattacked, and labels alternate down to the first.
    assert all(labels[k] == (IN if (n - 1 - k) % 2 == 0 else OUT) for k in range(n))


def test_reinstatement_needs_every_attacker_defeated():
    # a is attacked by b and d; c defeats b, e defeats d, so both attackers are out and a is in.
    attacks = [("b", "a"), ("d", "a"), ("c", "b"), ("e", "d")]
    assert labels_of("abcde", attacks) == {"a": "in", "b": "out", "c": "in", "d": "out", "e": "in"}
    # Without e, d stays in and a stays out even though b is defeated.
    attacks = [("b", "a"), ("d", "a"), ("c", "b")]
    assert labels_of("abcd", attacks) == {"a": "out", "b": "out", "c": "in", "d": "in"}


def test_even_cycle_is_undecided_and_so_is_what_it_attacks():
    attacks = [("a", "b"), ("b", "a"), ("b", "c")]
    assert labels_of("abc", attacks) == {"a": "undecided", "b": "undecided", "c": "undecided"}


def test_odd_cycle_is_undecided():
    attacks = [("a", "b"), ("b", "c"), ("c", "a")]
    assert labels_of("abc", attacks) == {"a": "undecided", "b": "undecided", "c": "undecided"}


def test_self_attack_is_undecided_and_so_is_its_target():
    assert labels_of("ab", [("a", "a"), ("a", "b")]) == {"a": "undecided", "b": "undecided"}


def test_self_attacker_attacked_by_an_in_argument_is_out():
    # And what it attacked is reinstated.
    attacks = [("a", "a"), ("c", "a"), ("a", "b")]
    assert labels_of("abc", attacks) == {"a": "out", "b": "in", "c": "in"}


def test_isolated_arguments_are_in():
    attacks = [("a", "b"), ("b", "a")]
    assert labels_of(["a", "b", "x", "y"], attacks) == {"a": "undecided", "b": "undecided", "x": "in", "y": "in"}


def test_even_cycle_attacked_by_an_in_argument_is_broken():
    # c knocks a out, which frees b.
    attacks = [("a", "b"), ("b", "a"), ("c", "a")]
    assert labels_of("abc", attacks) == {"a": "out", "b": "in", "c": "in"}


def test_odd_cycle_attacked_by_an_in_argument_is_broken():
    attacks = [("a", "b"), ("b", "d"), ("d", "a"), ("c", "a")]
    assert labels_of("abcd", attacks) == {"a": "out", "b": "in", "c": "in", "d": "out"}


def test_cycle_attacked_by_an_undecided_argument_stays_undecided():
    attacks = [("a", "b"), ("b", "a"), ("x", "x"), ("x", "a")]
    assert set(labels_of("abx", attacks).values()) == {"undecided"}


def test_repeated_arguments_and_attacks_are_harmless():
    attacks = [("b", "a"), ("b", "a"), ("c", "b"), ("c", "b")]
    assert labels_of(["a", "b", "c", "a"], attacks) == {"a": "in", "b": "out", "c": "in"}


def test_integer_and_string_ids_can_mix():
    assert labels_of([1, "1"], [(1, "1")]) == {1: "in", "1": "out"}


def test_attack_on_an_unknown_argument_is_rejected():
    with pytest.raises(ValueError, match="not in the graph"):
        grounded_labelling(["a"], [("a", "z")])


# --------------------------------------------------------------------------------------------------
# Grounded labelling: against the definition, on every small framework Hypothesis can think of


@st.composite
def frameworks(draw, max_nodes=7):
    n = draw(st.integers(0, max_nodes))
    pairs = [(a, b) for a in range(n) for b in range(n)]
    attacks = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    return list(range(n)), attacks


def brute_force_grounded(arguments, attacks):
    """The least fixpoint of F(S) = {a : every attacker of a is attacked by a member of S}, from the empty set."""
    attackers = {a: {x for x, y in attacks if y == a} for a in arguments}
    extension: set = set()
    while True:
        attacked_by_s = {y for x, y in attacks if x in extension}
        following = {a for a in arguments if attackers[a] <= attacked_by_s}
        if following == extension:
            break
        extension = following
    out = {y for x, y in attacks if x in extension}
    return {a: "in" if a in extension else "out" if a in out else "undecided" for a in arguments}


@given(frameworks())
def test_grounded_labelling_matches_the_least_fixpoint(framework):
    arguments, attacks = framework
    assert labels_of(arguments, attacks) == brute_force_grounded(arguments, attacks)


@given(frameworks(), st.randoms(use_true_random=False))
def test_grounded_labelling_ignores_input_order(framework, rng):
    arguments, attacks = framework
    shuffled_arguments, shuffled_attacks = arguments[:], attacks[:]
    rng.shuffle(shuffled_arguments)
    rng.shuffle(shuffled_attacks)
    assert labels_of(shuffled_arguments, shuffled_attacks) == labels_of(arguments, attacks)


@given(frameworks())
def test_grounded_labelling_is_a_complete_labelling(framework):
    # in: every attacker out; out: some attacker in; undecided: no attacker in, some undecided.
    arguments, attacks = framework
    labels = grounded_labelling(arguments, attacks)
    for a in arguments:
        around = [labels[x] for x, y in attacks if y == a]
        if labels[a] == IN:
            assert all(label == OUT for label in around)
        elif labels[a] == OUT:
            assert IN in around
        else:
            assert IN not in around
            assert UNDEC in around


# --------------------------------------------------------------------------------------------------
# Explanations


def explained(arguments, attacks, node):
    return explain(node, grounded_labelling(arguments, attacks), attackers_by_target(attacks))


def test_attackers_by_target_groups_without_repeats():
    assert attackers_by_target([("b", "a"), ("c", "a"), ("b", "a"), ("a", "c")]) == {"a": ["b", "c"], "c": ["a"]}


def test_explain_unattacked():
    explanation = explained("a", [], "a")
    assert explanation == Explanation(IN, Reason.UNATTACKED, (), 0)
    assert describe(explanation) == "In: nothing attacks it."


def test_explain_in_because_attackers_are_out():
    attacks = [("b", "a"), ("d", "a"), ("c", "b"), ("e", "d")]
    explanation = explained("abcde", attacks, "a")
    assert explanation == Explanation(IN, Reason.ATTACKERS_OUT, ("b", "d"), 2)
    assert describe(explanation) == "In: all 2 of its attackers are out."
    assert describe(explained("abc", [("b", "a"), ("c", "b")], "a")) == "In: its only attacker is out."


def test_explain_out_names_only_the_attackers_that_are_in():
    attacks = [("b", "a"), ("d", "a"), ("c", "b")]
    explanation = explained("abcd", attacks, "a")
    assert explanation == Explanation(OUT, Reason.ATTACKED_BY_IN, ("d",), 2)
    assert describe(explanation, {"d": "Dogs bark"}) == "Out: it is attacked by Dogs bark, which is in."


def test_explain_undecided_names_the_undecided_attackers():
    attacks = [("a", "b"), ("b", "a"), ("b", "c"), ("x", "c"), ("y", "x")]
    explanation = explained("abcxy", attacks, "c")
    assert explanation == Explanation(UNDEC, Reason.ATTACKERS_UNDECIDED, ("b",), 2)
    assert describe(explanation).startswith("Undecided: no attacker is in, but b is undecided")


def test_explain_self_attack():
    explanation = explained("a", [("a", "a")], "a")
    assert explanation == Explanation(UNDEC, Reason.SELF_ATTACK, (), 1)
    assert describe(explanation) == "Undecided: it attacks itself, and nothing that is in attacks it."
    explanation = explained("ab", [("a", "a"), ("b", "a"), ("a", "b")], "a")
    assert explanation == Explanation(UNDEC, Reason.SELF_ATTACK, ("b",), 2)
    assert describe(explanation) == "Undecided: it attacks itself, and b is undecided too."


def test_describe_names_a_few_attackers_and_counts_the_rest():
    attackers = [f"c{k}" for k in range(8)]
    attacks = [(x, "t") for x in attackers]
    explanation = explained(["t", *attackers], attacks, "t")
    names = {x: x.upper() for x in attackers}
    text = describe(explanation, names, limit=3)
    assert text == "Out: it is attacked by C0, C1, C2 and 5 others, which are in."
    assert describe(explanation, lambda node: f"#{node}", limit=8).startswith("Out: it is attacked by #c0, #c1,")


@given(frameworks())
def test_every_explanation_agrees_with_its_label(framework):
    arguments, attacks = framework
    labels = grounded_labelling(arguments, attacks)
    grouped = attackers_by_target(attacks)
    for a in arguments:
        explanation = explain(a, labels, grouped)
        assert explanation.label == labels[a]
        assert explanation.total_attackers == len(grouped.get(a, []))
        if explanation.reason == Reason.ATTACKED_BY_IN:
            assert explanation.attackers
            assert all(labels[x] == IN for x in explanation.attackers)
        if explanation.reason == Reason.ATTACKERS_UNDECIDED:
            assert explanation.attackers
            assert all(labels[x] == UNDEC for x in explanation.attackers)
        assert describe(explanation).startswith(("In:", "Out:", "Undecided:"))


# --------------------------------------------------------------------------------------------------
# DF-QuAD


def test_no_relations_leave_the_base_scores():
    result = dfquad_strengths({"a": 0.2, "b": 0.9}, [], [])
    assert result == Strengths({"a": 0.2, "b": 0.9}, converged=True, iterations=0)


def test_hand_computed_examples():
    half = {"a": 0.5, "b": 0.5}
    assert dfquad_strengths(half, [], [("b", "a")]).values == {"a": 0.25, "b": 0.5}
    assert dfquad_strengths(half, [("b", "a")], []).values == {"a": 0.75, "b": 0.5}

    # Two attackers of 0.5 aggregate to 1 - 0.5 * 0.5 = 0.75: 0.5 - 0.5 * 0.75.
    three = {"a": 0.5, "b": 0.5, "c": 0.5}
    assert dfquad_strengths(three, [], [("b", "a"), ("c", "a")]).values["a"] == 0.125
    # Equal attack and support cancel out.
    assert dfquad_strengths(three, [("c", "a")], [("b", "a")]).values["a"] == 0.5
    # A chain: c weakens b to 0.25, which then weakens a to 0.5 - 0.5 * 0.25.
    assert dfquad_strengths(three, [], [("c", "b"), ("b", "a")]).values["a"] == 0.375

    # Support stronger than attack: 0.6 + (1 - 0.6) * (0.8 - 0.5).
    mixed = dfquad_strengths({"a": 0.6, "s": 0.8, "t": 0.5}, [("s", "a")], [("t", "a")]).values
    assert mixed["a"] == pytest.approx(0.72)


def test_repeated_relations_count_once():
    half = {"a": 0.5, "b": 0.5}
    assert dfquad_strengths(half, [], [("b", "a"), ("b", "a")]).values["a"] == 0.25


def test_unknown_nodes_and_bad_base_scores_are_rejected():
    with pytest.raises(ValueError, match="not in the graph"):
        dfquad_strengths({"a": 0.5}, [("z", "a")], [])
    with pytest.raises(ValueError, match="outside"):
        dfquad_strengths({"a": 1.5}, [], [])
    with pytest.raises(ValueError, match="outside"):
        dfquad_strengths({"a": math.nan}, [], [])
    with pytest.raises(ValueError, match="max_iterations"):
        dfquad_strengths({"a": 0.5}, [], [], max_iterations=0)


def test_mutual_attack_converges_to_the_fixpoint():
    # s = 0.5 - 0.5 * s for both, so s = 1/3.
    result = dfquad_strengths({"a": 0.5, "b": 0.5}, [], [("a", "b"), ("b", "a")])
    assert result.converged
    assert result.iterations > 1
    assert result.values["a"] == pytest.approx(1 / 3, abs=1e-8)
    assert result.values["b"] == pytest.approx(1 / 3, abs=1e-8)


def test_oscillating_cycle_reports_that_it_did_not_converge():
    # With base 1 each side knocks the other to 0 and back again at every sweep.
    result = dfquad_strengths({"a": 1.0, "b": 1.0}, [], [("a", "b"), ("b", "a")], max_iterations=25)
    assert not result.converged
    assert result.iterations == 25
    assert all(0.0 <= value <= 1.0 for value in result.values.values())


def test_self_support_is_a_cycle_too():
    # s = 0.5 + 0.5 * s has its fixpoint at 1, approached geometrically.
    result = dfquad_strengths({"a": 0.5}, [("a", "a")], [], max_iterations=200)
    assert result.converged
    assert result.values["a"] == pytest.approx(1.0, abs=1e-8)


def test_claims_downstream_of_a_cycle_use_its_final_strengths():
    bases = {"a": 0.5, "b": 0.5, "c": 0.5, "d": 0.4}
    result = dfquad_strengths(bases, [("b", "c")], [("a", "b"), ("b", "a"), ("c", "d")])
    b = result.values["b"]
    c = 0.5 + 0.5 * b
    assert result.values["c"] == pytest.approx(c)
    assert result.values["d"] == pytest.approx(0.4 - 0.4 * c)


def test_long_ring_needs_no_recursion():
    n = 20_000
    bases = dict.fromkeys(range(n), 0.5)
    supports = [(k, (k + 1) % n) for k in range(n)]
    result = dfquad_strengths(bases, supports, [], max_iterations=3)
    assert result.iterations == 3
    assert not result.converged


def strength_equation(node, bases, supports, attacks, values):
    """DF-QuAD's defining equation for one node, written out from the definition."""
    va = 1 - math.prod(1 - values[x] for x, y in attacks if y == node)
    vs = 1 - math.prod(1 - values[x] for x, y in supports if y == node)
    b = bases[node]
    if va > vs:
        return b - b * abs(vs - va)
    if vs > va:
        return b + (1 - b) * abs(vs - va)
    return b


@st.composite
def bipolar_graphs(draw, max_nodes=7, acyclic=False):
    n = draw(st.integers(1, max_nodes))
    bases = {k: draw(st.floats(0.0, 1.0)) for k in range(n)}
    # Acyclic graphs only point from a higher number to a lower one.
    pairs = [(a, b) for a in range(n) for b in range(n) if not acyclic or a > b]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    kinds = draw(st.lists(st.booleans(), min_size=len(edges), max_size=len(edges)))
    supports = [edge for edge, is_support in zip(edges, kinds, strict=True) if is_support]
    attacks = [edge for edge, is_support in zip(edges, kinds, strict=True) if not is_support]
    return bases, supports, attacks


@given(bipolar_graphs())
def test_strengths_stay_in_the_unit_interval(graph):
    bases, supports, attacks = graph
    result = dfquad_strengths(bases, supports, attacks, max_iterations=30)
    assert set(result.values) == set(bases)
    assert all(0.0 <= value <= 1.0 for value in result.values.values())


@given(bipolar_graphs())
def test_converged_strengths_satisfy_the_equations(graph):
    bases, supports, attacks = graph
    result = dfquad_strengths(bases, supports, attacks, max_iterations=500, tolerance=1e-12)
    if result.converged:
        for node in bases:
            expected = strength_equation(node, bases, supports, attacks, result.values)
            assert result.values[node] == pytest.approx(expected, abs=1e-6)


@given(bipolar_graphs(acyclic=True))
def test_acyclic_graphs_take_one_exact_pass(graph):
    bases, supports, attacks = graph
    result = dfquad_strengths(bases, supports, attacks)
    assert result.converged
    assert result.iterations == 0
    for node in bases:
        expected = strength_equation(node, bases, supports, attacks, result.values)
        assert result.values[node] == pytest.approx(expected, abs=1e-12)


@given(st.dictionaries(st.integers(), st.floats(0.0, 1.0), max_size=20))
def test_no_relations_means_strength_equals_base(bases):
    assert dfquad_strengths(bases, [], []).values == bases


@given(bipolar_graphs(acyclic=True), st.data())
def test_adding_an_attacker_never_raises_and_a_supporter_never_lowers(graph, data):
    bases, supports, attacks = graph
    n = len(bases)
    free = [(a, b) for a in range(n) for b in range(a) if (a, b) not in supports and (a, b) not in attacks]
    if not free:
        return
    a, b = data.draw(st.sampled_from(free))
    before = dfquad_strengths(bases, supports, attacks).values[b]
    attacked = dfquad_strengths(bases, supports, [*attacks, (a, b)]).values[b]
    supported = dfquad_strengths(bases, [*supports, (a, b)], attacks).values[b]
    assert attacked <= before <= supported


# --------------------------------------------------------------------------------------------------
# Base scores


def test_base_score_without_evidence_is_a_half():
    assert base_score(0, 0, 0) == 0.5
    assert base_score() == 0.5


def test_base_score_examples():
    assert base_score(supporting=1) == pytest.approx(3 / 5)
    assert base_score(opposing=1) == pytest.approx(2 / 5)
    assert base_score(states=2) == base_score(supporting=1)
    assert base_score(supporting=3, opposing=1) == pytest.approx(0.625)


def test_base_score_rejects_negative_counts():
    with pytest.raises(ValueError):
        base_score(0, -1, 0)


counts = st.integers(0, 10_000)


@given(counts, counts, counts)
def test_base_score_is_monotone_and_strictly_inside_the_unit_interval(states, supporting, opposing):
    score = base_score(states, supporting, opposing)
    assert 0.0 < score < 1.0
    assert base_score(states + 1, supporting, opposing) > score
    assert base_score(states, supporting + 1, opposing) > score
    assert base_score(states, supporting, opposing + 1) < score


# --------------------------------------------------------------------------------------------------
# Whole maps


def test_evaluate_map_labels_strengths_and_explanations():
    # 1 is the thesis; 2 opposes it, 3 rebuts 2, 4 supports 1 and has evidence for it.
    relations = [(2, 1, "opposes"), (3, 2, "opposes"), (4, 1, "supports")]
    evaluation = evaluate_map([1, 2, 3, 4], relations, {4: (0, 2, 0)})
    assert isinstance(evaluation, MapEvaluation)
    assert evaluation.labels == {1: IN, 2: OUT, 3: IN, 4: IN}
    assert evaluation.base_scores == {1: 0.5, 2: 0.5, 3: 0.5, 4: 4 / 6}
    assert evaluation.strengths[2] == 0.25
    assert evaluation.converged
    assert evaluation.iterations == 0
    assert evaluation.counts() == {IN: 3, OUT: 1, UNDEC: 0}

    claim = evaluation[1]
    assert claim.label == IN
    assert claim.explanation == Explanation(IN, Reason.ATTACKERS_OUT, (2,), 1)
    assert evaluation[2].explanation == Explanation(OUT, Reason.ATTACKED_BY_IN, (3,), 1)
    assert evaluation.attackers(1) == [2]
    assert [c.claim for c in evaluation] == [1, 2, 3, 4]
    assert len(evaluation) == 4
    assert 4 in evaluation
    assert 5 not in evaluation


def test_evaluate_map_supports_do_not_attack():
    evaluation = evaluate_map(["a", "b"], [("a", "b", "supports"), ("b", "a", "supports")], {})
    assert evaluation.labels == {"a": IN, "b": IN}
    assert evaluation.converged
    assert evaluation.iterations > 0


def test_evaluate_map_rejects_inconsistent_input():
    with pytest.raises(ValueError, match="not in the graph"):
        evaluate_map([1], [(1, 2, "opposes")], {})
    with pytest.raises(ValueError, match="kind"):
        evaluate_map([1, 2], [(1, 2, "undercuts")], {})
    with pytest.raises(ValueError, match="not a claim of the map"):
        evaluate_map([1], [], {2: (1, 0, 0)})
    with pytest.raises(ValueError):
        evaluate_map([1], [], {1: (0, -1, 0)})


@st.composite
def maps(draw, max_claims=7):
    n = draw(st.integers(1, max_claims))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    kinds = draw(st.lists(st.sampled_from(["supports", "opposes"]), min_size=len(edges), max_size=len(edges)))
    evidence = draw(
        st.dictionaries(st.integers(0, n - 1), st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)))
    )
    return list(range(n)), [(a, b, kind) for (a, b), kind in zip(edges, kinds, strict=True)], evidence


@given(maps())
@settings(max_examples=200)
def test_evaluate_map_agrees_with_the_separate_functions(data):
    claims, relations, evidence = data
    evaluation = evaluate_map(claims, relations, evidence)
    attacks = [(a, b) for a, b, kind in relations if kind == "opposes"]
    supports = [(a, b) for a, b, kind in relations if kind == "supports"]
    assert evaluation.labels == grounded_labelling(claims, attacks)
    bases = {claim: base_score(*evidence.get(claim, (0, 0, 0))) for claim in claims}
    assert evaluation.base_scores == bases
    separate = dfquad_strengths(bases, supports, attacks)
    assert evaluation.strengths == separate.values
    assert (evaluation.converged, evaluation.iterations) == (separate.converged, separate.iterations)
    grouped = attackers_by_target(attacks)
    labels = evaluation.labels
    assert all(evaluation.explain(claim) == explain(claim, labels, grouped) for claim in claims)


def test_evaluate_map_on_a_random_large_map_keeps_every_claim():
    rng = random.Random(7)
    n = 3_000
    relations = [(k, rng.randrange(k), rng.choice(["supports", "opposes"])) for k in range(1, n)]
    relations += [(rng.randrange(n), rng.randrange(n), "opposes") for _ in range(300)]
    relations = [r for r in relations if r[0] != r[1]]
    evaluation = evaluate_map(range(n), relations, {k: (1, k % 3, k % 2) for k in range(0, n, 5)})
    assert len(evaluation.labels) == len(evaluation.strengths) == n
    assert all(0.0 <= value <= 1.0 for value in evaluation.strengths.values())
