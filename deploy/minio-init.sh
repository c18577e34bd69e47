#!/bin/sh
# Run once by docker-compose.yml's minio-init service: creates the bucket and a MinIO user for the
# replicas (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) whose policy allows that bucket only, so the
# replicas never hold MinIO's root credentials. Safe to run again.
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "local/$BUCKET"
cat >/tmp/aigc-mcp-policy.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], "Resource": ["arn:aws:s3:::$BUCKET"] },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$BUCKET/*"]
    }
  ]
}
JSON
mc admin policy create local aigc-mcp /tmp/aigc-mcp-policy.json
mc admin user add local "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
# Attaching an already attached policy is an error; the user then has it, which is what we want.
mc admin policy attach local aigc-mcp --user "$AWS_ACCESS_KEY_ID" || mc admin user info local "$AWS_ACCESS_KEY_ID" | grep -q aigc-mcp
echo "bucket $BUCKET and user $AWS_ACCESS_KEY_ID ready"
