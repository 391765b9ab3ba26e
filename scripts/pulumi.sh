#!/usr/bin/env bash
# `npm run up|down|preview`: the Pulumi CLI from the npm package `pulumi`, state in ./.pulumi,
# the stack from $STACK (default dev). Nothing to configure for the dev stack.
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:?usage: scripts/pulumi.sh up|down|preview}
shift
stack=${STACK:-dev}

# The docker provider builds its native Image on the engine of `host`, but creates containers and
# volumes on DOCKER_CONTEXT's engine when that is set: two engines in one `up`. The stack's
# target.dockerHost is the one place that says where the server is.
if [ -n "${DOCKER_CONTEXT:-}" ]; then
  echo "npm run $action: ignoring DOCKER_CONTEXT=$DOCKER_CONTEXT (the stack's target.dockerHost says where to deploy)" >&2
  unset DOCKER_CONTEXT
fi

# A local file backend inside the project folder unless one is chosen already.
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  mkdir -p .pulumi
  export PULUMI_BACKEND_URL="file://$PWD/.pulumi"
fi
# The dev passphrase (README, Quick start): only when neither a passphrase nor a file is set.
if [ -z "${PULUMI_CONFIG_PASSPHRASE+x}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="video-server-dev"
fi
export PULUMI_SKIP_UPDATE_CHECK=true

# A Pulumi CLI already on PATH wins; otherwise the `pulumi` npm package, which downloads the CLI
# on first use. Say so plainly when that cannot work.
cli=(npx --no-install pulumi)
for found in $(type -ap pulumi); do
  case "$found" in */node_modules/.bin/*) ;; *) cli=("$found"); break ;; esac
done
if ! version=$("${cli[@]}" version 2>/tmp/video-server-pulumi.$$); then
  echo "npm run $action: the Pulumi CLI could not be fetched or started:" >&2
  sed 's/^/  /' "/tmp/video-server-pulumi.$$" >&2
  rm -f "/tmp/video-server-pulumi.$$"
  echo "The npm package 'pulumi' downloads the CLI on first use, which needs internet access." >&2
  echo "Install the CLI another way (https://www.pulumi.com/docs/install/) and put it on PATH, or retry online." >&2
  exit 1
fi
rm -f "/tmp/video-server-pulumi.$$"
echo "Pulumi CLI $version, backend $PULUMI_BACKEND_URL, stack $stack"

pulumi() { "${cli[@]}" "$@"; }
pulumi stack select --create "$stack" >/dev/null

case "$action" in
  up)
    pulumi up --yes "$@"
    pulumi stack output
    ;;
  preview)
    pulumi preview --diff "$@"
    ;;
  down)
    # The media directory and volume are retained on delete: uploads stay on the host.
    pulumi destroy --yes "$@"
    ;;
  *)
    echo "usage: scripts/pulumi.sh up|down|preview" >&2
    exit 2
    ;;
esac
