#!/usr/bin/env bash
# Counts the issue-11 smells in src/ (run from the repository root, or pass it):
# - status/kind string literals outside the enum declarations (`Variant = "word"` lines of
#   text_enum!) and the OpenAPI document,
# - hand-written route strings (audit actions written by hand),
# - pagination resolved by hand outside the Paging extractor (src/http.rs).
cd "${1:-.}"
words='proposed|presented|interview|offered|started|ended|declined_by_seeker|declined_by_employer|withdrawn|active|paused|placed|exited|open|filled|closed|booked|cancelled|held|no_show|permanent|temporary|summer|seasonal|hourly|arbetstraning|praktik|extratjanst|nystartsjobb|lonebidrag|employment|studies|subsidised_employment|municipal_labour_market_job|extended|aborted|pending|delivered|moved'
echo "status/kind string literals outside their enum: $(grep -rnE "\"($words)\"" src --include=*.rs | grep -v 'src/openapi.rs' | grep -vE '^\S+:\s*[A-Z][A-Za-z]* = "' | wc -l)"
echo "hand-written route strings (audit actions): $(grep -rnE '"(GET|POST|PATCH|PUT|DELETE) /[^"]*"' src --include=*.rs | grep -v 'src/openapi.rs' | wc -l)"
echo "hand-resolved pagination: $(grep -rnE 'Pagination \{|\.resolve\(\)\?' src --include=*.rs | grep -v '^src/http.rs' | wc -l)"
