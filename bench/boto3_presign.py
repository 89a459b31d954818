#!/usr/bin/env python3
"""boto3's generate_presigned_url, timed in one process: the peer figure for `cargo bench --bench presign`.

    pip install boto3 && python3 bench/boto3_presign.py
No server is needed: presigning is local computation.
"""
import time

import boto3
from botocore.config import Config

client = boto3.client(
    "s3",
    endpoint_url="http://127.0.0.1:9000",
    region_name="us-east-1",
    aws_access_key_id="AKBENCHMARK",
    aws_secret_access_key="bench-secret-key",
    config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
)


def presign(key):
    return client.generate_presigned_url("get_object", Params={"Bucket": "bench", "Key": key}, ExpiresIn=3600)


for _ in range(200):  # warm up
    presign("docs/report.pdf")

runs = []
for _ in range(5):
    n = 5000
    start = time.perf_counter()
    for _ in range(n):
        presign("docs/report.pdf")
    runs.append((time.perf_counter() - start) / n)
per_link = sorted(runs)[len(runs) // 2]
print(f"boto3 generate_presigned_url: {per_link * 1e6:.1f} µs per link (median of 5 x 5000)")

start = time.perf_counter()
for i in range(1000):
    presign(f"folder/file-{i:04}.bin")
print(f"boto3 1,000 links for a folder: {(time.perf_counter() - start) * 1e3:.1f} ms")
