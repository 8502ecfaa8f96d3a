"""Metrics checked against values worked out by hand."""
import math

import pytest

from search.metrics import (
    average_precision,
    best_f1,
    mrr_at_k,
    ndcg_at_k,
    precision_recall_at,
    recall_at_k,
    roc_auc,
    spearman,
    threshold_for_precision,
)


def test_ndcg_is_one_when_the_only_relevant_document_is_ranked_first():
    assert ndcg_at_k(["a", "b", "c"], {"a"}) == pytest.approx(1.0)


def test_ndcg_discounts_a_relevant_document_at_rank_two_by_log2_of_three():
    assert ndcg_at_k(["x", "a", "c"], {"a"}) == pytest.approx(1 / math.log2(3))


def test_ndcg_with_two_relevant_documents_at_ranks_one_and_three():
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}) == pytest.approx((1 + 0.5) / ideal)


def test_ndcg_ignores_relevant_documents_below_the_cutoff():
    assert ndcg_at_k(["x", "y", "a"], {"a"}, k=2) == 0.0


def test_ndcg_uses_graded_gains_when_given_a_mapping():
    got = ndcg_at_k(["b", "a"], {"a": 2, "b": 1})
    assert got == pytest.approx((1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3)))


def test_recall_counts_the_share_of_relevant_documents_in_the_top_k():
    assert recall_at_k(["a", "x", "b"], {"a", "b", "c", "d"}, k=3) == pytest.approx(0.5)
    assert recall_at_k(["x", "a"], {"a"}, k=1) == 0.0


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_document():
    assert mrr_at_k(["x", "y", "a", "b"], {"a", "b"}) == pytest.approx(1 / 3)
    assert mrr_at_k(["x", "y", "a"], {"a"}, k=2) == 0.0


def test_roc_auc_counts_correctly_ordered_positive_negative_pairs_with_ties_as_half():
    # Pairs (pos, neg): (0.8, 0.5) ok, (0.8, 0.3) ok, (0.5, 0.5) tie, (0.5, 0.3) ok -> 3.5 / 4.
    assert roc_auc([1, 1, 0, 0], [0.8, 0.5, 0.5, 0.3]) == pytest.approx(0.875)


def test_average_precision_averages_precision_at_each_positive():
    # Ranked labels 1, 0, 1, 0: precision 1/1 at the first positive, 2/3 at the second.
    assert average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]) == pytest.approx((1 + 2 / 3) / 2)


def test_best_f1_finds_the_threshold_that_keeps_both_positives():
    # At t=0.7: tp=2, fp=1, fn=0 -> F1 = 4/5; at t=0.9 F1 = 2/3.
    f1, threshold = best_f1([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])
    assert f1 == pytest.approx(0.8)
    assert threshold == pytest.approx(0.7)


def test_precision_and_recall_at_a_threshold_flag_scores_at_or_above_it():
    assert precision_recall_at([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 0.75) == pytest.approx((0.5, 0.5))


def test_threshold_for_precision_picks_the_lowest_threshold_still_precise_enough():
    labels, scores = [0, 1, 1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    # Precision at 0.5 is 3/5 = 0.6; at 0.4 it drops to 3/6.
    assert threshold_for_precision(labels, scores, 0.6) == pytest.approx(0.5)


def test_spearman_is_one_for_a_monotone_relation_and_minus_one_reversed():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 400]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_uses_average_ranks_for_ties():
    # Ranks x: 1, 2.5, 2.5, 4; y: 1, 2, 3, 4 -> Pearson of the ranks = 4.5 / sqrt(4.5 * 5).
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(4.5 / math.sqrt(4.5 * 5))
