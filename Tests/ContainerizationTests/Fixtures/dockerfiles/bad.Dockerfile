# A Dockerfile with one of each problem the validator knows.
MAINTAINER someone@example.com
FROM ubuntu
ENV DB_PASSWORD=hunter2hunter2 \
    APP_ENV=production
RUN apt-get update && \
    apt-get install -y curl
ADD . /app
RUN pip install flask
FROM quay.io/acme/runtime:1.2 AS final
ARG API_TOKEN=abc123def456
USER root
CMD ["/app/run"]
