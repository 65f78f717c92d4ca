"""How an extractive answer is laid out: each provision once, its quotes in the order of the text."""
import re

from index.annotations import unit_key

# Questions in other languages read every chunk of a unit they find, so one article's parts meet.
QUESTIONS = [
    "Apa kewajiban penyedia sistem AI berisiko tinggi menurut EU AI Act?",
    "Nhà cung cấp hệ thống AI rủi ro cao phải làm gì theo Đạo luật AI của EU?",
    "Làm thế nào để giám sát AI sau khi triển khai?",
    "What are the obligations of providers of high-risk AI systems under the EU AI Act?",
    "What does Article 50 require for chatbots and deepfakes?",
    "What information must providers of general-purpose AI models give downstream providers?",
]


def test_each_provision_has_one_heading_and_its_quotes_in_text_order(full_assistant):
    for question in QUESTIONS:
        answer = full_assistant.ask(question, mode="extractive")
        heads = re.findall(r"^- \*\*(.+?)\*\*", answer.answer, re.M)
        assert heads and len(heads) == len(set(heads)), (question, heads)
        # Citations are numbered in answer order: within one provision they follow the document.
        by_unit: dict[str, list[tuple[int, int]]] = {}
        for c in sorted(answer.citations, key=lambda c: c.n):
            passage = full_assistant.passage(c.passage_id)
            part = int(c.passage_id.partition("~")[2] or 1)
            by_unit.setdefault(unit_key(c.passage_id), []).append((part, passage.text.find(c.quote)))
        for unit, places in by_unit.items():
            assert all(at >= 0 for _, at in places), (question, unit, places)
            assert places == sorted(places), (question, unit, places)
