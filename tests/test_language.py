"""Language identification of short chat questions (assistant/language.py) and the plan's field."""

from __future__ import annotations

import pytest

from assistant.language import detect, malay_or_indonesian, question_language
from assistant.query import plan
from assistant.types import Turn

# Questions as small businesses and officials type them: short, informal, with English names of
# laws and products mixed in.
QUESTIONS = {
    "en": [
        "Do I have to tell customers they are talking to a chatbot?",
        "What does Article 14(4) of the AI Act require?",
        "Is the ASEAN guide legally binding?",
        "Which AI practices are banned in the EU?",
        "How should we document our training data?",
        "Can I use facial recognition in my shop?",
        "What is a deployer?",
        "GOVERN 1.1",
    ],
    "id": [
        "Apakah saya harus memberi tahu pelanggan bahwa mereka berbicara dengan chatbot?",
        "Apa saja prinsip etika kecerdasan artifisial menurut Surat Edaran Kominfo?",
        "Apakah perusahaan kecil wajib mendaftarkan sistem AI ke pemerintah?",
        "Bagaimana cara melindungi data pribadi pelanggan saat memakai AI?",
        "Siapa yang bertanggung jawab jika sistem AI membuat kesalahan?",
        "Apakah pedoman ASEAN mengikat secara hukum?",
        "Praktik AI apa saja yang dilarang di Uni Eropa?",
        "Kapan aturan AI Act mulai berlaku untuk bisnis kami?",
    ],
    "ms": [
        "Adakah saya perlu memberitahu pelanggan bahawa mereka bercakap dengan chatbot?",
        "Bolehkah syarikat saya menggunakan AI untuk menapis calon pekerja?",
        "Adakah garis panduan ASEAN mengikat dari segi undang-undang?",
        "Bagaimanakah perniagaan kecil harus melindungi maklumat peribadi pelanggan?",
        "Apakah amalan AI yang dilarang di Kesatuan Eropah?",
        "Siapakah yang bertanggungjawab jika sistem AI membuat kesilapan?",
        "Adakah kerajaan mewajibkan pendaftaran sistem AI?",
        "Bilakah peraturan AI Act mula terpakai kepada syarikat kami?",
    ],
    "vi": [
        "Tôi có phải thông báo cho khách hàng rằng họ đang nói chuyện với AI không?",
        "Những hành vi AI nào bị cấm ở Liên minh châu Âu?",
        "Hướng dẫn của ASEAN có ràng buộc pháp lý không?",
        "Doanh nghiệp nhỏ cần làm gì để bảo vệ dữ liệu cá nhân khi dùng AI?",
        "Ai chịu trách nhiệm nếu hệ thống AI gây ra sai sót?",
        "Điều 50 của Đạo luật AI yêu cầu gì?",
        "Khi nào quy định về AI của EU bắt đầu áp dụng?",
        "Chúng tôi có cần đánh giá rủi ro trước khi triển khai chatbot không?",
    ],
    "th": [
        "ฉันต้องแจ้งลูกค้าว่ากำลังคุยกับแชทบอทหรือไม่",
        "แนวปฏิบัติของอาเซียนมีผลผูกพันทางกฎหมายหรือไม่",
        "แนวทางปฏิบัติด้าน AI ใดบ้างที่ถูกห้ามในสหภาพยุโรป",
        "ธุรกิจขนาดเล็กต้องทำอย่างไรเพื่อปกป้องข้อมูลส่วนบุคคลของลูกค้า",
        "ใครต้องรับผิดชอบถ้าระบบ AI ทำผิดพลาด",
        "มาตรา 50 ของ AI Act กำหนดอะไรไว้บ้าง",
        "กฎหมาย AI ของ EU เริ่มบังคับใช้เมื่อไหร่",
        "เราต้องประเมินความเสี่ยงก่อนใช้ AI หรือเปล่า",
    ],
    "fil": [
        "Kailangan ko bang sabihin sa mga customer na AI ang kausap nila?",
        "Anong mga gawain ng AI ang ipinagbabawal sa European Union?",
        "May legal na bisa ba ang gabay ng ASEAN?",
        "Paano poprotektahan ng maliit na negosyo ang personal na datos ng mga kustomer?",
        "Sino ang mananagot kapag nagkamali ang sistema ng AI?",
        "Ano ang hinihingi ng Artikulo 50 ng AI Act?",
        "Kailan magsisimulang ipatupad ang batas sa AI ng EU?",
        "Dapat ba kaming magsagawa ng pagtatasa ng panganib bago gumamit ng chatbot?",
    ],
}


@pytest.mark.parametrize("lang,question", [(lang, q) for lang, qs in QUESTIONS.items() for q in qs])
def test_detects_the_language_of_short_questions(lang, question):
    assert detect(question) == lang


def test_accuracy_per_language_is_high_on_the_table():
    for lang, qs in QUESTIONS.items():
        right = sum(detect(q) == lang for q in qs)
        assert right / len(qs) >= 0.875, (lang, [q for q in qs if detect(q) != lang])


def test_malay_indonesian_rule_decisive_words_then_lingua_margin_then_indonesian():
    # decisive words outvote lingua's confidence either way
    assert malay_or_indonesian("syarikat kami", {"id": 0.9, "ms": 0.1}) == "ms"
    assert malay_or_indonesian("perusahaan kami", {"id": 0.1, "ms": 0.9}) == "id"
    # no decisive word: lingua decides only with a clear lead, else Indonesian
    assert malay_or_indonesian("saya perlu tahu", {"id": 0.2, "ms": 0.8}) == "ms"
    assert malay_or_indonesian("saya perlu tahu", {"id": 0.4, "ms": 0.6}) == "id"


def test_identifiers_and_nonsense_stay_english():
    assert detect("Article 50?") == "en"
    assert detect("12345 ???") == "en"
    assert detect("") == "en"


def test_product_names_and_acronyms_do_not_decide_the_language():
    # lingua alone reads these as Tagalog (0.54) and as below-threshold Indonesian (0.499)
    assert detect("Is OpenAI's ChatGPT a general-purpose AI model under the AI Act?") == "en"
    assert detect("Apa isi Pasal 14 ayat (4) huruf e AI Act Uni Eropa?") == "id"
    assert detect("Ano ang sinasabi ng EU AI Act tungkol sa GPAI?") == "fil"


def test_short_follow_up_inherits_the_conversation_language():
    earlier = ["Apakah saya harus memberi tahu pelanggan bahwa mereka berbicara dengan chatbot?"]
    assert question_language("Dan Article 6?", earlier) == "id"
    assert question_language("Article 6?", earlier) == "id"
    assert question_language("Article 6?", []) == "en"
    # a full question in another language switches
    assert question_language("Những hành vi AI nào bị cấm ở Liên minh châu Âu?", earlier) == "vi"


def test_plan_carries_the_language():
    assert plan("Tôi có phải thông báo cho khách hàng rằng họ đang nói chuyện với AI không?", [], {}).language == "vi"
    assert plan("Do I have to tell customers they are talking to a chatbot?", [], {}).language == "en"
    history = [Turn(role="user", content="ฉันต้องแจ้งลูกค้าว่ากำลังคุยกับแชทบอทหรือไม่"),
               Turn(role="assistant", content="…")]
    assert plan("Article 50?", history, {}).language == "th"
