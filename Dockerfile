# The web service: migrates, seeds and serves the tracker under gunicorn (static files by whitenoise).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt -r requirements.txt
COPY . .
# collectstatic needs settings but no secret worth keeping; the real SECRET_KEY comes at run time.
RUN SECRET_KEY=collectstatic-only DEBUG=false python manage.py collectstatic --no-input
RUN useradd --system --home /app tracker && chown -R tracker /app
USER tracker
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --no-input && python manage.py seed && exec gunicorn tracker.wsgi:application --bind 0.0.0.0:8000 --workers 3 --access-logfile -"]
