#!/usr/bin/env bash
# Counts the issue-11 smells in src/: string status/kind literals outside their enum and the
# labels module, hand-written route strings passed as audit actions, hand-resolved pagination.
cd "${1:-.}"
words='proposed|presented|interview|offered|started|ended|declined_by_seeker|declined_by_employer|withdrawn|active|paused|placed|exited|open|filled|closed|booked|cancelled|attended|no_show|permanent|temporary|summer|seasonal|hourly|arbetstraning|praktik|extratjanst|nystartsjobb|lonebidrag|employment|studies|subsidised_employment|municipal_labour_market_job|extended|aborted|pending|delivered|failed|full_time|part_time'
echo "status/kind string literals: $(grep -rnoE "\"($words)\"" src --include=*.rs | grep -v 'src/openapi.rs' | wc -l)"
echo "hand-written route strings (audit actions): $(grep -rnoE '"(GET|POST|PATCH|PUT|DELETE) /[^"]*"' src --include=*.rs | grep -v 'src/openapi.rs' | wc -l)"
echo "hand-resolved pagination: $(grep -rnoE 'Pagination \{|\.resolve\(\)\?' src --include=*.rs | wc -l)"
