HXCOMM The commands that take a file descriptor passed with them (SCM_RIGHTS), and one that does not.
{ .name = "getfd", .args_type = "fdname:s", .mhandler.cmd_new = qmp_marshal_input_getfd, },
SQMP
getfd
-----
Receive a file descriptor via SCM rights and assign it a name.
Arguments:
- "fdname": file descriptor name (json-string)
Example:
-> { "execute": "getfd", "arguments": { "fdname": "fd1" } }
<- { "return": {} }
EQMP
{ .name = "closefd", .args_type = "fdname:s", .mhandler.cmd_new = qmp_marshal_input_closefd, },
SQMP
closefd
-------
Close a file descriptor previously passed via SCM rights.
Arguments:
- "fdname": file descriptor name (json-string)
Example:
-> { "execute": "closefd", "arguments": { "fdname": "fd1" } }
<- { "return": {} }
EQMP
{ .name = "add-fd", .args_type = "fdset-id:i?,opaque:s?", .mhandler.cmd_new = qmp_marshal_input_add_fd, },
SQMP
add-fd
-------
Add a file descriptor, that was passed via SCM rights, to an fd set.
Arguments:
- "fdset-id": The ID of the fd set to add the file descriptor to. (json-int, optional)
- "opaque": A free-form string that can be used to describe the fd. (json-string, optional)
Return a json-object with the following information:
- "fdset-id": The ID of the fd set that the fd was added to. (json-int)
- "fd": The file descriptor that was received via SCM rights and added to the fd set. (json-int)
Example:
-> { "execute": "add-fd", "arguments": { "fdset-id": 1 } }
<- { "return": { "fdset-id": 1, "fd": 3 } }
EQMP
