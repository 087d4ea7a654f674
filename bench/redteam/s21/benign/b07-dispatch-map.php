<?php
$handlers = ['list' => 'list_items', 'show' => 'show_item', 'passthru' => 'stream_file'];
function list_items($p) { return []; }
function show_item($p) { return ['id' => (int) $p['id']]; }
function stream_file($p) { readfile(__DIR__ . '/files/' . basename($p['f'])); }
$action = $_GET['action'] ?? 'list';
if (isset($handlers[$action])) { $handlers[$action]($_GET + $_POST); }
