# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_ENV=production \
    VAR_DIR=/var/lib/yianchugai \
    STATIC_ROOT=/app/staticfiles

# The runtime scope of system-packages.txt only (WeasyPrint's libraries, libharfbuzz-subset0 for fast
# CJK PDFs, fontconfig, the Noto CJK and HanaMin fonts: never tofu); the test, browser and CI
# packages stay out of the image. The script runs apt-get update and install as root here.
WORKDIR /app
COPY system-packages.txt ./
COPY tools/system-packages.sh tools/
RUN bash tools/system-packages.sh install run \
    && rm -rf /var/lib/apt/lists/* \
    && bash tools/system-packages.sh cjk-font

RUN pip install --no-cache-dir uv==0.13.8
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY . .
RUN pybabel compile --domain=django --directory=locale \
    && SECRET_KEY=build ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && useradd --system --home /app yianchugai \
    && mkdir -p /var/lib/yianchugai && chown yianchugai /var/lib/yianchugai
USER yianchugai

EXPOSE 8000
# gunicorn.conf.py: bind, workers, a timeout above DOCUMENT_TIME_BUDGET_SECONDS, the PDF warm-up.
CMD ["gunicorn", "config.wsgi", "--config", "gunicorn.conf.py"]
