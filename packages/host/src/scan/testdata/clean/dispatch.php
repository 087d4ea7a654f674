<?php
// An admin page's dispatcher: the request picks a key, the code picks the function.
$handlers = ['list' => 'show_list', 'edit' => 'show_edit'];
$action = isset($_GET['action']) ? $_GET['action'] : 'list';
if (isset($handlers[$action])) {
    call_user_func($handlers[$action], (int) ($_GET['id'] ?? 0));
}
$callback = $handlers[$action] ?? 'show_list';
$callback();
function show_list($id) { echo 'list'; }
function show_edit($id) { echo 'edit ' . $id; }
