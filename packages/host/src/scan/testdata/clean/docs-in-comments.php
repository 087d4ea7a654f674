<?php
/**
 * Handles the form. The action comes from `$_POST['action']`, and the
 * old form sent `$_GET[cmd]` instead; both end up in handle().
 * Never do `eval($_POST['code'])` or `system($_GET['cmd'])` here.
 */
function handle(string $action): void { echo htmlspecialchars($action); }
handle($_POST['action'] ?? '');
