#!/bin/sh
export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789
curl -H "Authorization: token $GITHUB_TOKEN" https://api.github.com
