#!/usr/bin/env bash
# Refreshes the README's screenshots from the end-to-end tests' own (the real app in a
# real webview under Xvfb): runs those tests, then copies the chosen pictures to docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && npm run --silent build)
cargo build --workspace --all-targets --locked
xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- \
  cargo test -p dtasks-e2e --test app --test accessibility --locked
shots=target/e2e-screenshots
mkdir -p docs/screenshots
cp "$shots/1-annotator-offline.png" docs/screenshots/my-tasks.png
cp "$shots/2-manager-board.png" docs/screenshots/board.png
cp "$shots/3-sync-centre-offline.png" docs/screenshots/sync-centre.png
cp "$shots/3-conflict.png" docs/screenshots/conflict.png
cp "$shots/5-demo-overview.png" docs/screenshots/overview.png
cp "$shots/7-dataset-failed.png" docs/screenshots/dataset-failed.png
cp "$shots/8-metered.png" docs/screenshots/metered.png
cp "$shots/8-system-metered.png" docs/screenshots/system-metered.png
cp "$shots/9-update.png" docs/screenshots/update.png
cp "$shots/a11y-manager-dark-board.png" docs/screenshots/board-dark.png
cp "$shots/a11y-annotator-dark-my-tasks.png" docs/screenshots/my-tasks-dark.png
cp "$shots/a11y-annotator-light-board.png" docs/screenshots/board-view-only.png
cp "$shots/a11y-connect-light.png" docs/screenshots/connect.png
cp "$shots/11-activity.png" docs/screenshots/activity.png
cp "$shots/11-overview-review.png" docs/screenshots/review-panel.png
cp "$shots/11-notification-opened.png" docs/screenshots/notification-opened.png
cp "$shots/11-sync-centre-settings.png" docs/screenshots/settings.png
echo "screenshots: docs/screenshots/ updated"
