#!/bin/sh
# LocalStack "ready" hook (mounted into /etc/localstack/init/ready.d/): creates the demo credential's client
# secret in the emulated Secrets Manager. The value is a DEMO value, known to the IMS emulator through
# IMS_EMULATOR_CLIENTS in docker-compose.yml; the brokers read it with the AWS SDK through
# AWS_ENDPOINT_URL_SECRETS_MANAGER=http://localstack:4566.
set -eu

SECRET_ID=demo/adobe/client-secret
SECRET_STRING='{"client_secret":"demo-client-secret-change-me"}'

if awslocal secretsmanager describe-secret --secret-id "$SECRET_ID" >/dev/null 2>&1; then
  awslocal secretsmanager put-secret-value --secret-id "$SECRET_ID" --secret-string "$SECRET_STRING" >/dev/null
else
  awslocal secretsmanager create-secret --name "$SECRET_ID" --secret-string "$SECRET_STRING" >/dev/null
fi
echo "init-secrets: $SECRET_ID is ready"
