# kassavirta serve in a container: the HTTP hook for ERPs and the page for people.
#   docker build -t kassavirta .
#   docker run -p 8080:8080 -v "$PWD/samples:/config:ro" kassavirta --settings /config/settings.json
# Arguments after the image name go to `kassavirta serve` (see `kassavirta serve --help`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
# A regular (not editable) install compiles the bytecode once, at build time.
RUN python -m pip install '.[server]' && rm -rf /build

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin kassavirta
USER kassavirta
WORKDIR /home/kassavirta

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["kassavirta", "serve", "--host", "0.0.0.0", "--port", "8080"]
