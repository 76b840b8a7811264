# The tracker's one image. By itself (its start command, bin/start-web) it migrates, adds the seed
# records a new database lacks (never changing existing ones) and serves under gunicorn (static
# files by whitenoise). docker-compose.yml runs the same image three ways: `migrate` once, then the
# web replicas with gunicorn alone, and the worker (docs/deploy.md).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt -r requirements.txt
COPY . .
# collectstatic needs settings but no secret worth keeping; the real SECRET_KEY comes at run time.
RUN SECRET_KEY=collectstatic-only-never-used-to-sign-anything-0123456789 DEBUG=false \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 python manage.py collectstatic --no-input
RUN useradd --system --home /app tracker && chown -R tracker /app
USER tracker
EXPOSE 8000
CMD ["sh", "bin/start-web"]
