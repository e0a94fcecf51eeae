# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_ENV=production \
    VAR_DIR=/var/lib/yianchugai \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint's libraries; libharfbuzz-subset0 keeps CJK PDFs fast; real CJK fonts, never tofu
# (Noto Serif CJK SC for 仿宋 and 小标宋, Noto Sans CJK SC for 黑体: README "Documents and fonts";
# HanaMin from fonts-hanazono for the CJK Extension B characters of rare names).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-hanazono \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY . .
RUN pybabel compile --domain=django --directory=locale \
    && SECRET_KEY=build ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && useradd --system --home /app yianchugai \
    && mkdir -p /var/lib/yianchugai && chown yianchugai /var/lib/yianchugai
USER yianchugai

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
