"""The LangChain integration over the real index: langchain-tests' standard retriever tests, the
citation metadata of each Document, and the assistant as a Runnable (invoke, batch, composition)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.langchain import PolicyRetriever, assistant_runnable

AI_ACT = "eu-ai-act-2024-1689"
NIST = "nist-ai-rmf-1.0"


class TestPolicyRetrieverStandard(RetrieversIntegrationTests):
    """LangChain's standard retriever contract (k in the constructor and per call, sync and async)."""

    @pytest.fixture(autouse=True)
    def _assistant(self, full_assistant) -> None:
        self.assistant = full_assistant

    @property
    def retriever_constructor(self) -> type[PolicyRetriever]:
        return PolicyRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"assistant": self.assistant}

    @property
    def retriever_query_example(self) -> str:
        return "human oversight of high-risk AI systems"


@pytest.fixture(scope="module")
def retriever(full_assistant) -> PolicyRetriever:
    return PolicyRetriever(assistant=full_assistant, k=5, base_url="http://127.0.0.1:8000/")


def test_documents_carry_citation_metadata(retriever, full_assistant):
    docs = retriever.invoke("What does Article 50(1) of the AI Act require?")
    assert docs and all(isinstance(d, Document) for d in docs)
    first = docs[0]
    meta = first.metadata
    assert first.id == meta["passage_id"] == f"{AI_ACT}#art-50-1"
    assert meta["locator"] == "Article 50(1)" and meta["page"] == 82 and meta["binding"] is True
    assert meta["document_id"] == AI_ACT and meta["jurisdiction"] == "EU" and "Artificial Intelligence Act" in meta["document_title"]
    assert meta["url"].endswith("#page=82")
    assert meta["view_url"].startswith("http://127.0.0.1:8000/viewer/?doc=eu-ai-act-2024-1689&page=82&q=")
    assert first.page_content == full_assistant.passage(meta["passage_id"]).text
    assert [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1))  # the service's order
    assert all(isinstance(v, (str, int, float, bool, type(None))) for d in docs for v in d.metadata.values())


def test_filters_in_the_constructor_and_per_call(full_assistant):
    nist_only = PolicyRetriever(assistant=full_assistant, documents=[NIST], k=4)
    assert {d.metadata["document_id"] for d in nist_only.invoke("transparency")} == {NIST}
    voluntary = PolicyRetriever(assistant=full_assistant, k=6).invoke("transparency obligations", binding=False)
    assert voluntary and not any(d.metadata["binding"] for d in voluntary)
    with pytest.raises(TypeError):
        PolicyRetriever(assistant=full_assistant).invoke("x", documentz=[NIST])


def test_assistant_as_a_runnable(full_assistant):
    runnable = assistant_runnable(full_assistant)
    answer = runnable.invoke("Do I have to tell people they are talking to an AI chatbot under the EU AI Act?")
    assert not answer["abstained"] and "[1]" in answer["answer"]
    cited = answer["citations"][0]
    assert cited["document_id"] == AI_ACT and cited["locator"].startswith("Article 50")
    assert cited["quote"] in full_assistant.passage(cited["passage_id"]).text
    # dict input with filters and persona; batch; and composition with other runnables
    nist, out_of_corpus = runnable.batch([
        {"question": "How should AI risks be measured?", "documents": [NIST], "persona": "official"},
        "What does Malaysia's AI law say about chatbots?"])
    assert {c["document_id"] for c in nist["citations"]} == {NIST}
    assert out_of_corpus["abstained"] and not out_of_corpus["citations"]
    chain = runnable | RunnableLambda(lambda a: [c["locator"] for c in a["citations"]])
    assert any(loc.startswith("Article 50") for loc in chain.invoke("Must chatbots disclose that they are AI under the EU AI Act?"))
    with pytest.raises(TypeError):
        runnable.invoke({"query": "wrong key"})
